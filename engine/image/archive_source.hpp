#pragma once
// The tarball `image import` and `image load` read: a path the user names, or "-" for stdin.
// It is the user's own file, followed as the host sees it, but it may be a FIFO or a pipe:
// opened O_NONBLOCK (a FIFO without a writer does not stall the open), and read with an idle
// bound when it is not a regular file (a writer that never writes does not hold us forever).
#include <cstddef>
#include <string>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::image {

class ArchiveSource {
 public:
  explicit ArchiveSource(const std::string& source);
  const std::string& label() const { return label_; }  // "stdin" or the path
  bool regular() const { return regular_; }
  // A path that opens this very file (/proc/self/fd/N), for readers that take a path.
  std::string fd_path() const;
  // Up to n bytes; 0 at the end.
  std::size_t read(void* buf, std::size_t n);

 private:
  UniqueFd fd_;
  std::string label_;
  bool regular_ = false;
};

}  // namespace mycompose::image
