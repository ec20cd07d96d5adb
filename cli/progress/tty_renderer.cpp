#include <algorithm>
#include <chrono>
#include <cstdio>

#include "progress/renderers.hpp"

#include <ctime>

#include "mycompose/common/warning.hpp"

namespace mycompose::cli::progress {

namespace {

constexpr const char* kSpinner[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c", "\u2834", "\u2826", "\u2827", "\u2807", "\u280f"};
constexpr const char* kReset = "\033[0m";
constexpr const char* kBlue = "\033[34m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kYellow = "\033[33m";

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s < 0 ? 0 : s);
  return buf;
}

}  // namespace

std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b) {  // CSI: ESC [ params final-byte
      ++i;
      if (i < s.size() && s[i] == '[')
        while (++i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) {
        }
      continue;
    }
    if ((c & 0xc0) != 0x80) ++n;
  }
  return n;
}

TtyRenderer::TtyRenderer(std::ostream& out, Options options) : out_(out), o_(std::move(options)) {
  if (!o_.clock)
    o_.clock = [] { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); };
  born_ = o_.clock();
}

TtyRenderer::~TtyRenderer() { finish(); }

void TtyRenderer::event(const Event& e) {
  std::lock_guard lock(m_);
  const double now = o_.clock();
  if (e.state == State::Warning && e.id.empty()) {
    // Above the frame: clear the frame, print the warning, draw the frame again below it.
    if (drawn_ > 0) out_ << "\033[" << drawn_ << "A\r\033[J";
    drawn_ = 0;
    out_ << warning_line(e.text, true, std::time(nullptr), static_cast<long>(now - born_), o_.colours);
    draw_locked();
    return;
  }
  Line* line = nullptr;
  for (auto& l : lines_)
    if (l.event.id == e.id) line = &l;
  if (!line) {
    lines_.push_back(Line{e, now, now});
    line = &lines_.back();
  } else {
    // A resource that starts working again (Stopping after Running…) counts its time anew.
    if (line->event.state != State::Working && e.state == State::Working) line->start = now;
    line->event = e;
  }
  line->end = now;
  draw_locked();
}

void TtyRenderer::redraw() {
  std::lock_guard lock(m_);
  if (!finished_) draw_locked();
}

void TtyRenderer::start_ticking() {
  ticker_ = std::thread([this] {
    std::unique_lock lock(m_);
    while (!finished_) {
      stop_cv_.wait_for(lock, std::chrono::milliseconds(100));
      if (!finished_) draw_locked();
    }
  });
}

void TtyRenderer::finish() {
  {
    std::lock_guard lock(m_);
    if (finished_) return;
    finished_ = true;
    draw_locked();
  }
  stop_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

std::string TtyRenderer::header(double) const {
  std::size_t done = 0;
  for (const auto& l : lines_)
    if (l.event.state == State::Done) ++done;
  std::string h = "[+] " + o_.title + " " + std::to_string(done) + "/" + std::to_string(lines_.size());
  if (o_.colours && done == lines_.size()) h = kBlue + h + kReset;
  return h;
}

std::string TtyRenderer::line_text(const Line& l, std::size_t id_width, double now) const {
  const Event& e = l.event;
  std::string icon;
  const char* colour = "";
  switch (e.state) {
    case State::Working:
      icon = kSpinner[static_cast<std::size_t>((now - l.start) * 10) % 10];
      break;
    case State::Done:
      icon = "\u2714";
      colour = kGreen;
      break;
    case State::Error:
      icon = "\u2718";
      colour = kRed;
      break;
    case State::Warning:
      icon = "!";
      colour = kYellow;
      break;
  }
  if (o_.colours && *colour) icon = colour + icon + kReset;
  std::string status = e.status + (e.text.empty() ? "" : ": " + e.text);
  std::string text = " " + icon + " " + e.id + std::string(id_width - columns(e.id) + 2, ' ');
  const std::string timer = seconds((e.state == State::Working ? now : l.end) - l.start);
  // The timer sits at the right edge; a long status is cut to keep each line on one row.
  const std::size_t room = o_.width > 0 && static_cast<std::size_t>(o_.width) > columns(text) + timer.size() + 2
                               ? static_cast<std::size_t>(o_.width) - columns(text) - timer.size() - 2
                               : 0;
  if (columns(status) > room) {
    std::string cut;
    std::size_t n = 0;
    for (std::size_t i = 0; i < status.size() && n + 3 < room; ++i) {
      cut += status[i];
      if (i + 1 >= status.size() || (static_cast<unsigned char>(status[i + 1]) & 0xc0) != 0x80) ++n;
    }
    status = room >= 3 ? cut + "..." : "";
  }
  if (o_.colours && e.state == State::Error) status = kRed + status + kReset;
  text += status;
  const std::size_t used = columns(text) + timer.size() + 1;
  if (static_cast<std::size_t>(o_.width) > used) text += std::string(static_cast<std::size_t>(o_.width) - used - 1, ' ');
  return text + " " + timer;
}

void TtyRenderer::draw_locked() {
  if (lines_.empty()) return;
  const double now = o_.clock();
  std::size_t id_width = 0;
  for (const auto& l : lines_) id_width = std::max(id_width, columns(l.event.id));
  std::string frame;
  if (drawn_ > 0) frame += "\033[" + std::to_string(drawn_) + "A\r";
  frame += "\033[?25l";  // no cursor flickering over the frame while it is written
  frame += "\033[2K" + header(now) + "\n";
  for (const auto& l : lines_) frame += "\033[2K" + line_text(l, id_width, now) + "\n";
  frame += "\033[?25h";
  out_ << frame << std::flush;
  drawn_ = static_cast<int>(lines_.size()) + 1;
}

}  // namespace mycompose::cli::progress
