#include "log_printer.hpp"

#include <unistd.h>

#include <cstdlib>

namespace mycompose::cli {

namespace {
// docker compose's rainbow (cmd/formatter/colors.go): the order colours are handed out in.
const char* const kRainbow[] = {"36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1"};
}  // namespace

bool use_color(bool no_color, const std::string& ansi) {
  if (no_color || ansi == "never") return false;
  if (ansi == "always") return true;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return ::isatty(STDOUT_FILENO) != 0;
}

std::string display_name(const std::string& container, const std::string& project) {
  const std::string prefix = project + "-";
  return container.rfind(prefix, 0) == 0 && container.size() > prefix.size() ? container.substr(prefix.size()) : container;
}

void LogPrinter::add(const std::string& name, const std::string& service) {
  std::lock_guard<std::mutex> l(m_);
  if (name.size() + 1 > width_) width_ = name.size() + 1;
  if (!colors_.count(service)) {
    const std::size_t n = colors_.size();
    colors_[service] = kRainbow[n % (sizeof kRainbow / sizeof *kRainbow)];
  }
}

std::string LogPrinter::colored(const std::string& service, const std::string& text) {
  if (!o_.color) return text;
  auto it = colors_.find(service);
  if (it == colors_.end()) {
    const std::size_t n = colors_.size();
    it = colors_.emplace(service, kRainbow[n % (sizeof kRainbow / sizeof *kRainbow)]).first;
  }
  return "\033[" + it->second + "m" + text + "\033[0m";
}

void LogPrinter::line(const std::string& name, const std::string& service, const std::string& text, const std::string& time,
                      const std::string& stream) {
  std::lock_guard<std::mutex> l(m_);
  std::string out;
  if (o_.prefix) {
    std::string padded = name;
    if (padded.size() < width_) padded.append(width_ - padded.size(), ' ');  // Go's %-*s
    out = colored(service, padded + " | ");
  }
  if (o_.timestamps && !time.empty()) out += time + " ";
  out += text;
  out += '\n';
  (stream == "stderr" ? err_ : out_) << out << std::flush;
}

void LogPrinter::status(const std::string& name, const std::string& service, const std::string& message) {
  std::lock_guard<std::mutex> l(m_);
  out_ << colored(service, name + " " + message) + "\n" << std::flush;
}

void LogPrinter::watch_line(const std::string& text) {
  std::lock_guard<std::mutex> l(m_);
  // "#watch" counts as a name for the width, as it does in compose's log consumer.
  if (width_ < 7) width_ = 7;
  std::string out;
  if (o_.prefix) {
    const std::string prefix = std::string(width_, ' ') + " ⦿ ";
    out = o_.color ? "\033[92m" + prefix + "\033[0m" : prefix;
  }
  out_ << out + text + "\n" << std::flush;
}

}  // namespace mycompose::cli
