#include "mycompose/common/untrusted_file.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"

namespace mycompose::fs {
namespace {

constexpr int kReadFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;

// Resolves path as `how` says and opens it with `flags` (O_PATH or kReadFlags); -1 + errno.
int open_as(int dirfd, const std::string& path, Untrusted how, int flags) {
  if (!how.follow_last) flags |= O_NOFOLLOW;
  if (!how.in_root) return ::openat(dirfd, path.empty() ? "." : path.c_str(), flags | O_CLOEXEC);
  open_how oh{};
  oh.flags = static_cast<__u64>(flags | O_CLOEXEC);
  oh.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // EAGAIN: a rename raced the lookup; someone renaming forever must not keep us here.
  for (int i = 0; i < 100; ++i) {
    long fd = ::syscall(SYS_openat2, dirfd, path.empty() ? "." : path.c_str(), &oh, sizeof oh);
    if (fd >= 0 || errno != EAGAIN) return static_cast<int>(fd);
  }
  return -1;
}

void require_regular(const struct stat& st, const std::string& what) {
  if (!S_ISREG(st.st_mode)) throw Error(what + " is " + file_type_name(st.st_mode) + ", not a regular file");
}

bool same_inode(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

UniqueFd open_checked(int dirfd, const std::string& path, const std::string& what, Untrusted how, struct stat* out,
                      bool missing_ok) {
  UniqueFd opath(open_as(dirfd, path, how, O_PATH));
  if (!opath) {
    if (missing_ok && (errno == ENOENT || errno == ENOTDIR)) return UniqueFd();
    throw SystemError(what, errno);
  }
  struct stat st {};
  if (::fstat(opath.get(), &st) != 0) throw SystemError("stat " + what, errno);
  require_regular(st, what);
  UniqueFd fd(::open(("/proc/self/fd/" + std::to_string(opath.get())).c_str(), kReadFlags));
  if (!fd) {
    if (errno != ENOENT) throw SystemError(what, errno);
    // No /proc of our own (a process that joined a container's mount namespace but not its
    // pid namespace): open by path again and make sure it is still the inode we checked.
    fd.reset(open_as(dirfd, path, how, kReadFlags));
    if (!fd) throw SystemError(what, errno);
  }
  struct stat again {};
  if (::fstat(fd.get(), &again) != 0) throw SystemError("stat " + what, errno);
  if (!same_inode(st, again)) throw Error(what + " changed while it was opened");
  if (out) *out = again;
  return fd;
}

}  // namespace

std::string file_type_name(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a folder";
    case S_IFLNK: return "a symbolic link";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    default: return "of unknown type";
  }
}

UniqueFd open_untrusted(int dirfd, const std::string& path, const std::string& what, Untrusted how, struct stat* st) {
  return open_checked(dirfd, path, what, how, st, false);
}

UniqueFd open_untrusted_if_exists(int dirfd, const std::string& path, const std::string& what, Untrusted how,
                                  struct stat* st) {
  return open_checked(dirfd, path, what, how, st, true);
}

UniqueFd reopen_untrusted(int fd, const std::string& what, struct stat* out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw SystemError("stat " + what, errno);
  require_regular(st, what);
  UniqueFd r(::open(("/proc/self/fd/" + std::to_string(fd)).c_str(), kReadFlags));
  if (!r) throw SystemError(what, errno);
  struct stat again {};
  if (::fstat(r.get(), &again) != 0) throw SystemError("stat " + what, errno);
  if (!same_inode(st, again)) throw Error(what + " changed while it was opened");
  if (out) *out = again;
  return r;
}

namespace {

std::string read_all(int fd, const std::string& what, std::size_t max_bytes) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError("read " + what, errno);
    }
    if (n == 0) return out;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes)
      throw Error(what + " is larger than the limit of " + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string read_untrusted(int dirfd, const std::string& path, const std::string& what, std::size_t max_bytes, Untrusted how) {
  return read_all(open_untrusted(dirfd, path, what, how).get(), what, max_bytes);
}

std::optional<std::string> read_untrusted_if_exists(int dirfd, const std::string& path, const std::string& what,
                                                    std::size_t max_bytes, Untrusted how) {
  UniqueFd fd = open_untrusted_if_exists(dirfd, path, what, how);
  if (!fd) return std::nullopt;
  return read_all(fd.get(), what, max_bytes);
}

std::size_t read_bounded(int fd, void* buf, std::size_t n, std::chrono::milliseconds idle, const std::string& what) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + idle;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) left = 0;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw SystemError("wait for " + what, errno);
    }
    if (r == 0)
      throw Error(what + ": no data for " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(idle).count()) + " s");
    ssize_t got = ::read(fd, buf, n);
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR && errno != EAGAIN) throw SystemError("read " + what, errno);
  }
}

}  // namespace mycompose::fs
