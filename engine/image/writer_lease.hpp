#pragma once
// A shared flock on <root>/content/tmp/.pull.lock held while an import or load writes
// temporary blobs and layers. The registry client sweeps stale temporaries (left by a killed
// process) only when it can take that lock exclusively, so it never removes ours mid-write.
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/image/store.hpp"

namespace mycompose::image {

class WriterLease {
 public:
  explicit WriterLease(const ImageStore& store) {
    auto path = store.root() / "content" / "tmp" / ".pull.lock";
    fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_) throw SystemError("open " + path.string(), errno);
    while (::flock(fd_.get(), LOCK_SH) < 0)
      if (errno != EINTR) throw SystemError("flock " + path.string(), errno);
  }

 private:
  UniqueFd fd_;
};

}  // namespace mycompose::image
