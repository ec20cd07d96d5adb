#pragma once
// Container output as docker compose prints it: "web-1  | hello", the prefix padded to the
// longest name plus one and coloured per service in compose's rainbow order (cyan, yellow,
// green, magenta, blue, then their intense forms); "web-1 exited with code 0" in the same
// colour. A container's stderr goes to our stderr, as docker compose's log consumer does.
// Thread-safe: the log stream and the Ctrl-C handler may print at once.
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace mycompose::cli {

struct LogPrinterOptions {
  bool color = false;
  bool prefix = true;       // false: --no-log-prefix
  bool timestamps = false;  // the entry's time before the text (-t, --timestamps)
};

// "--no-color" / the global --ansi flag / whether stdout is a terminal.
bool use_color(bool no_color, const std::string& ansi);

// "proj-web-1" → "web-1" (compose drops the project from the names it prints).
std::string display_name(const std::string& container, const std::string& project);

class LogPrinter {
 public:
  LogPrinter(std::ostream& out, LogPrinterOptions options) : out_(out), err_(out), o_(options) {}
  LogPrinter(std::ostream& out, std::ostream& err, LogPrinterOptions options) : out_(out), err_(err), o_(options) {}

  // Names that will print: the prefix width is the longest one plus one.
  void add(const std::string& name, const std::string& service);
  // stream: "stdout" or "stderr", the container's stream the line came from.
  void line(const std::string& name, const std::string& service, const std::string& text, const std::string& time = "",
            const std::string& stream = "stdout");
  void status(const std::string& name, const std::string& service, const std::string& message);
  // docker compose's "#watch" logger: the prefix width in blanks, then " ⦿ " (bright green).
  void watch_line(const std::string& text);

 private:
  std::string colored(const std::string& service, const std::string& text);
  std::ostream& out_;
  std::ostream& err_;
  LogPrinterOptions o_;
  std::mutex m_;
  std::size_t width_ = 0;
  std::map<std::string, std::string> colors_;  // service → SGR code
};

}  // namespace mycompose::cli
