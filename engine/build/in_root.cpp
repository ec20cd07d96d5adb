#include "in_root.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"

namespace mycompose::build {

UniqueFd open_in_root_or_throw(int root_fd, const std::string& path, int flags, const std::string& what, mode_t mode) {
  auto fd = open_in_root(root_fd, path, flags, mode);
  if (!fd) throw SystemError(what + " " + path, errno);
  return fd;
}

std::optional<struct stat> lstat_in_root(int root_fd, const std::string& path) {
  auto fd = open_in_root(root_fd, path, O_PATH | O_NOFOLLOW);
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstatat(fd.get(), "", &st, AT_EMPTY_PATH) != 0) return std::nullopt;
  return st;
}

std::optional<struct stat> stat_in_root(int root_fd, const std::string& path) {
  auto fd = open_in_root(root_fd, path, O_PATH);
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstatat(fd.get(), "", &st, AT_EMPTY_PATH) != 0) return std::nullopt;
  return st;
}

std::pair<std::string, std::string> split_parent(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return {"", p};
  return {slash == 0 ? "/" : p.substr(0, slash), p.substr(slash + 1)};
}

UniqueFd make_dirs_in_root(int root_fd, const std::string& path, mode_t mode, uid_t uid, gid_t gid) {
  std::string prefix;
  UniqueFd cur = open_in_root_or_throw(root_fd, "/", O_PATH | O_DIRECTORY, "open");
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    auto part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    start = slash == std::string::npos ? path.size() : slash + 1;
    if (part.empty() || part == ".") continue;
    prefix += "/" + part;
    auto next = open_in_root(root_fd, prefix, O_PATH | O_DIRECTORY);
    if (!next && errno == ENOENT) {
      // The parent was resolved inside the root; `part` is a plain name.
      if (::mkdirat(cur.get(), part.c_str(), mode) != 0 && errno != EEXIST) throw SystemError("mkdir " + prefix, errno);
      auto made = open_in_root_or_throw(root_fd, prefix, O_PATH | O_DIRECTORY, "open");
      if (::fchownat(made.get(), "", uid, gid, AT_EMPTY_PATH) != 0) throw SystemError("chown " + prefix, errno);
      // mkdir applies the umask; the mode must be exact. fchmod needs a real fd.
      UniqueFd rd = open_in_root_or_throw(root_fd, prefix, O_RDONLY | O_DIRECTORY, "open");
      if (::fchmod(rd.get(), mode) != 0) throw SystemError("chmod " + prefix, errno);
      next = std::move(made);
    } else if (!next) {
      throw SystemError("mkdir " + prefix + " (a path component is not a folder)", errno);
    }
    cur = std::move(next);
  }
  return cur;
}

}  // namespace mycompose::build
