#pragma once
// The renderers behind make_renderer(), visible so tests can drive them with a fake terminal
// and clock.
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <ostream>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

#include "progress/progress.hpp"

namespace mycompose::cli::progress {

// docker compose's plain mode: a line per event, working ones too (" Container shop-db-1
// Creating", then "  Created"), no symbols or colours; a warning without a resource as its
// logrus line (common/warning.hpp: the form depends on whether stderr is a terminal).
class PlainRenderer : public Renderer {
 public:
  using WarningForm = std::function<std::string(std::string_view message)>;
  explicit PlainRenderer(std::ostream& out, WarningForm warning_form = {}) : out_(out), warning_form_(std::move(warning_form)) {}
  void event(const Event& e) override;

 private:
  std::ostream& out_;
  WarningForm warning_form_;
  std::map<std::string, std::string> last_;  // id → the status last printed
};

// docker compose --progress json: {"id", "text", "status"} per event, warnings as
// {"text": message, "status": "Warning"}.
class JsonRenderer : public Renderer {
 public:
  explicit JsonRenderer(std::ostream& out) : out_(out) {}
  void event(const Event& e) override;

 private:
  std::ostream& out_;
};

class QuietRenderer : public Renderer {
 public:
  void event(const Event&) override {}
};

// The live frame. Every event redraws it: the cursor goes back up to the frame's first line
// and each line is cleared and written again, so the frame stays in place however often
// it changes. Warnings without a resource are printed above the frame.
class TtyRenderer : public Renderer {
 public:
  struct Options {
    std::string title = "Running";
    int width = 80;                  // terminal columns
    bool colours = true;
    std::function<double()> clock;   // seconds; default: steady_clock
  };
  TtyRenderer(std::ostream& out, Options options);
  ~TtyRenderer() override;
  void event(const Event& e) override;
  void finish() override;
  // Redraws every 100 ms until finish(): spinners turn and timers count.
  void start_ticking();
  double born_ = 0;  // the clock at construction: a warning's [seconds]
  // One redraw (what the ticker does).
  void redraw();

 private:
  struct Line {
    Event event;
    double start = 0, end = 0;
  };
  void draw_locked();
  std::string line_text(const Line& l, std::size_t id_width, double now) const;
  std::string header(double now) const;

  std::ostream& out_;
  Options o_;
  std::mutex m_;
  std::vector<Line> lines_;
  int drawn_ = 0;  // lines of the frame on screen
  bool finished_ = false;
  std::thread ticker_;
  std::condition_variable stop_cv_;
};

// Display columns of UTF-8 text without escape sequences (one per code point: our symbols
// and spinner frames are one column each).
std::size_t columns(const std::string& s);

}  // namespace mycompose::cli::progress
