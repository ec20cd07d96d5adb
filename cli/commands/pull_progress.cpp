#include "commands/pull_progress.hpp"

#include <unistd.h>

#include <cmath>

#include "mycompose/common/human_size.hpp"

namespace mycompose::cli {

std::string progress_bar(std::uint64_t current, std::uint64_t total) {
  const int width = 50;
  std::string bar;
  if (total > 0) {
    int filled = static_cast<int>(std::min<double>(1.0, static_cast<double>(current) / static_cast<double>(total)) * width);
    bar = "[" + std::string(filled, '=') + (filled < width ? ">" : "") +
          std::string(width - filled - (filled < width ? 1 : 0), ' ') + "] ";
  }
  std::string sizes = human_size(static_cast<double>(current));
  if (total > 0) sizes += "/" + human_size(static_cast<double>(total));
  if (sizes.size() < 8) sizes.insert(0, 8 - sizes.size(), ' ');
  return bar + sizes;
}

PullProgress::PullProgress(std::string mode, std::FILE* out) : out_(out) {
  quiet_ = mode == "quiet";
  tty_ = mode == "tty" || (mode == "auto" && ::isatty(::fileno(out)));
}

void PullProgress::operator()(const image::registry::ProgressEvent& e) {
  if (quiet_) return;
  bool bytes = e.total > 0 || e.status == "Downloading" || e.status == "Pushing";
  std::string text = e.id.empty() ? e.status : e.id + ": " + e.status;
  if (bytes && tty_) text += " " + progress_bar(e.current, e.total);
  // Whole-image lines and "Pulling from" headers are not layer lines.
  bool layer = !e.id.empty() && e.status.rfind("Pulling from", 0) != 0;
  if (!tty_) {
    if (layer) {
      for (auto& l : lines_)
        if (l.id == e.id) {
          if (l.status == e.status) return;  // byte updates: one line per status
          l.status = e.status;
          std::fprintf(out_, "%s\n", text.c_str());
          std::fflush(out_);
          return;
        }
      lines_.push_back({e.id, e.status});
    }
    std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
    return;
  }
  if (layer) {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].id != e.id) continue;
      std::size_t up = lines_.size() - i;
      lines_[i].status = e.status;
      std::fprintf(out_, "\033[%zuA\r\033[2K%s\033[%zuB\r", up, text.c_str(), up);
      std::fflush(out_);
      return;
    }
    lines_.push_back({e.id, e.status});
  }
  std::fprintf(out_, "\r\033[2K%s\n", text.c_str());
  std::fflush(out_);
  if (!layer) lines_.clear();  // lines above a whole-image line are final
}

}  // namespace mycompose::cli
