#include "mycompose/common/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"
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

static void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError(what, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmpXXXXXX")).string();
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd) throw SystemError("create temporary file in " + dir.string(), errno);
  try {
    write_all(fd.get(), data, "write " + tmpl);
    check_syscall(::fchmod(fd.get(), mode), "chmod " + tmpl);
    check_syscall(::fsync(fd.get()), "fsync " + tmpl);
    fd.reset();
    check_syscall(::rename(tmpl.c_str(), path.c_str()), "rename " + tmpl + " to " + path.string());
  } catch (...) {
    ::unlink(tmpl.c_str());
    throw;
  }
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd) ::fsync(dfd.get());
}

void replace_file(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  const std::string tmp = (path.parent_path() / ("." + path.filename().string() + ".tmp")).string();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) throw SystemError("create " + tmp, errno);
  try {
    write_all(fd.get(), data, "write " + tmp);
    fd.reset();
    check_syscall(::rename(tmp.c_str(), path.c_str()), "rename " + tmp + " to " + path.string());
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

void make_dirs(const std::filesystem::path& path, unsigned mode) {
  std::filesystem::path cur;
  for (const auto& part : path) {
    cur /= part;
    if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST)
      throw SystemError("mkdir " + cur.string(), errno);
  }
}

}  // namespace mycompose::fs
