#include "attach_stdin.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;

namespace {

bool is_stdin_fifo(const stdfs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

}  // namespace

void make_stdin_fifo(const stdfs::path& dir) {
  const stdfs::path p = dir / kStdinFifo;
  if (::mkfifo(p.c_str(), 0600) != 0 && errno != EEXIST) throw SystemError("mkfifo " + p.string(), errno);
}

UniqueFd open_stdin_for_container(const stdfs::path& dir) {
  const stdfs::path p = dir / kStdinFifo;
  if (!is_stdin_fifo(p)) return UniqueFd();
  UniqueFd fd(::open(p.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) throw SystemError("open " + p.string(), errno);
  return fd;
}

void write_container_stdin(const stdfs::path& dir, const std::string& name, std::string_view data) {
  const stdfs::path p = dir / kStdinFifo;
  if (!is_stdin_fifo(p)) throw Error("container " + name + " has no open stdin (stdin_open: true in the service)");
  // O_NONBLOCK: the loop never waits; with no process holding the FIFO, open fails ENXIO.
  UniqueFd fd(::open(p.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENXIO) throw Error("container " + name + " is not running");
    throw SystemError("open " + p.string(), errno);
  }
  while (!data.empty()) {
    const ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) throw Error("container " + name + ": stdin is full (the application does not read it)");
      throw SystemError("write " + p.string(), errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace mycompose::scheduler
