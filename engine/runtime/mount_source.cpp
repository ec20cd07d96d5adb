#include "mycompose/runtime/mount_source.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {
namespace {

std::string clean(const std::string& p) {
  std::string n = std::filesystem::path(p).lexically_normal().string();
  while (n.size() > 1 && n.back() == '/') n.pop_back();
  return n;
}

// Which component of `rel` (below root_fd) is a symlink, for the error; "" when none is now.
std::string first_link(int root_fd, const std::string& rel, const std::string& root) {
  UniqueFd dir(::fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  std::string walked = root == "/" ? "" : root;
  std::size_t at = 0;
  while (dir && at < rel.size()) {
    std::size_t slash = rel.find('/', at);
    const std::string name = rel.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    at = slash == std::string::npos ? rel.size() : slash + 1;
    walked += "/" + name;
    struct stat st;
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return "";
    if (S_ISLNK(st.st_mode)) return walked;
    dir.reset(::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  }
  return "";
}

}  // namespace

std::string source_below_root(const std::string& source, const std::string& root) {
  const std::string s = clean(source), r = clean(root);
  if (s.empty() || s[0] != '/' || r.empty() || r[0] != '/')
    throw Error("mount source \"" + source + "\" and its root \"" + root + "\" must be absolute paths");
  if (s == r) return "";
  if (r == "/") return s.substr(1);
  if (s.compare(0, r.size(), r) != 0 || s[r.size()] != '/')
    throw Error("mount source \"" + source + "\" is not inside its root \"" + root + "\"");
  return s.substr(r.size() + 1);
}

UniqueFd open_mount_source(const std::string& source, const std::string& root) {
  if (root.empty()) {
    UniqueFd fd(::open(source.c_str(), O_PATH | O_CLOEXEC));
    if (!fd) throw SystemError("mount source " + source, errno);
    return fd;
  }
  const std::string rel = source_below_root(source, root);
  UniqueFd top(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!top) throw SystemError("mount source root " + root, errno);
  if (rel.empty()) return top;
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd;
  do fd = ::syscall(SYS_openat2, top.get(), rel.c_str(), &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  const int err = errno;
  if (err == ELOOP || err == EXDEV) {
    const std::string link = first_link(top.get(), rel, clean(root));
    const std::string which = link.empty() || link == clean(source) ? "" : ": \"" + link + "\"";
    throw Error("mount source \"" + source + "\"" + which + " is a symbolic link; below \"" + clean(root) +
                "\" none is followed, as one could lead out of it");
  }
  throw SystemError("mount source " + source, err);
}

}  // namespace mycompose::runtime
