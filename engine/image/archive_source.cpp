#include "archive_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"
#include "mycompose/common/untrusted_file.hpp"

namespace mycompose::image {

ArchiveSource::ArchiveSource(const std::string& source) : label_(source == "-" ? "stdin" : source) {
  // stdin's file description is shared with the caller's shell: never make it non-blocking
  // (read_bounded polls before it reads instead).
  fd_.reset(source == "-" ? ::fcntl(0, F_DUPFD_CLOEXEC, 3) : ::open(source.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd_) throw SystemError(source == "-" ? "read stdin" : "open " + source, errno);
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) throw SystemError("stat " + label_, errno);
  regular_ = S_ISREG(st.st_mode);
  if (S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))
    throw Error(label_ + " is " + fs::file_type_name(st.st_mode) + ", not a tar archive");
}

std::string ArchiveSource::fd_path() const { return "/proc/self/fd/" + std::to_string(fd_.get()); }

std::size_t ArchiveSource::read(void* buf, std::size_t n) {
  if (!regular_) return fs::read_bounded(fd_.get(), buf, n, fs::kIdleReadTimeout, label_);
  for (;;) {
    ssize_t got = ::read(fd_.get(), buf, n);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) throw SystemError("read " + label_, errno);
  }
}

}  // namespace mycompose::image
