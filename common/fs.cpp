#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"
#include "mycompose/common/random.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::fs {

std::string read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw SystemError("open " + path.string(), errno);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError("read " + path.string(), errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes)
      throw Error(path.string() + ": file is larger than the limit of " + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

namespace {

void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError(what, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

constexpr std::string_view kTempMark = ".tmp";
constexpr std::size_t kTempSuffix = 6;  // as mkostemp's XXXXXX

std::string temp_name(const std::string& name) {
  static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char raw[kTempSuffix];
  random_bytes(raw, sizeof raw);
  std::string out = "." + name + std::string(kTempMark);
  for (unsigned char c : raw) out += digits[c % (sizeof digits - 1)];
  return out;
}

// The file's content, fsync-ed and locked, under a temp name in dfd; returns that name.
// An unnamed file first (O_TMPFILE), so a writer killed while writing leaves nothing.
std::string write_temp(int dfd, const std::filesystem::path& dir, const std::string& name, std::string_view data, unsigned mode,
                       UniqueFd& fd, bool durable) {
  fd.reset(::openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  const bool unnamed = static_cast<bool>(fd);
  std::string tmp;
  if (!unnamed) {
    // No O_TMPFILE on this filesystem (EOPNOTSUPP, EISDIR on old kernels): a named temp file.
    for (int i = 0; i < 100 && !fd; ++i) {
      tmp = temp_name(name);
      fd.reset(::openat(dfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!fd && errno != EEXIST) break;
    }
    if (!fd) throw SystemError("create temporary file in " + dir.string(), errno);
  }
  // Held until the caller closes fd: `system check` leaves a locked temp file alone.
  ::flock(fd.get(), LOCK_EX | LOCK_NB);
  try {
    const std::string what = unnamed ? "temporary file in " + dir.string() : (dir / tmp).string();
    write_all(fd.get(), data, "write " + what);
    check_syscall(::fchmod(fd.get(), mode), "chmod " + what);
    if (durable) check_syscall(::fsync(fd.get()), "fsync " + what);
  } catch (...) {
    if (!unnamed) ::unlinkat(dfd, tmp.c_str(), 0);
    throw;
  }
  if (!unnamed) return tmp;
  const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
  for (int i = 0; i < 100; ++i) {
    tmp = temp_name(name);
    // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd works for anyone.
    if (::linkat(fd.get(), "", dfd, tmp.c_str(), AT_EMPTY_PATH) == 0) return tmp;
    if (errno == EEXIST) continue;
    if (::linkat(AT_FDCWD, proc.c_str(), dfd, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) return tmp;
    if (errno != EEXIST) break;
  }
  throw SystemError("link temporary file into " + dir.string(), errno);
}

}  // namespace

namespace {

void replace_file(const std::filesystem::path& path, std::string_view data, unsigned mode, bool durable) {
  const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  const std::string name = path.filename().string();
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd) throw SystemError("open " + dir.string(), errno);
  UniqueFd fd;
  const std::string tmp = write_temp(dfd.get(), dir, name, data, mode, fd, durable);
  if (::renameat(dfd.get(), tmp.c_str(), dfd.get(), name.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(dfd.get(), tmp.c_str(), 0);
    throw SystemError("rename " + (dir / tmp).string() + " to " + path.string(), err);
  }
  fd.reset();
  if (durable) ::fsync(dfd.get());
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  replace_file(path, data, mode, true);
}

void write_file_replace(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  replace_file(path, data, mode, false);
}

bool is_temp_name(std::string_view f) {
  if (f.size() < 2 || f[0] != '.') return false;
  auto ends_with_mark_at = [&](std::size_t suffix) {
    return f.size() > kTempMark.size() + suffix + 1 && f.compare(f.size() - suffix - kTempMark.size(), kTempMark.size(), kTempMark) == 0;
  };
  // ".<name>.tmp" is what earlier versions wrote.
  return ends_with_mark_at(kTempSuffix) || ends_with_mark_at(0);
}

bool temp_file_abandoned(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return errno != ENOENT;
  return ::flock(fd.get(), LOCK_SH | LOCK_NB) == 0;
}

void make_dirs(const std::filesystem::path& path, unsigned mode) {
  std::filesystem::path cur;
  for (const auto& part : path) {
    cur /= part;
    if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST)
      throw SystemError("mkdir " + cur.string(), errno);
  }
}

void sync_dir(const std::filesystem::path& dir) {
  UniqueFd dfd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd) ::fsync(dfd.get());
}

}  // namespace mycompose::fs
