#pragma once
// Renders registry progress as `docker pull`/`docker push` do: on a terminal one line per
// layer, rewritten in place with a bar ("<id>: Downloading [====>   ] 12.3MB/45.6MB");
// otherwise one plain line per status change.
#include <cstdio>
#include <string>
#include <vector>

#include "mycompose/image/registry.hpp"

namespace mycompose::cli {

class PullProgress {
 public:
  // mode: "auto" (TTY when out is a terminal), "tty", "plain", "quiet" — as --progress.
  explicit PullProgress(std::string mode = "auto", std::FILE* out = stdout);
  void operator()(const image::registry::ProgressEvent& e);
  image::registry::ProgressFn fn() {
    return [this](const image::registry::ProgressEvent& e) { (*this)(e); };
  }

 private:
  struct Line {
    std::string id, status;
  };
  std::FILE* out_;
  bool tty_ = false;
  bool quiet_ = false;
  std::vector<Line> lines_;  // per-layer lines currently on screen (tty)
};

// "[=========>        ]  12.3MB/45.6MB"
std::string progress_bar(std::uint64_t current, std::uint64_t total);

}  // namespace mycompose::cli
