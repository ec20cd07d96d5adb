#include "mycompose/common/state_root.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::state_root {
namespace {

// The root, opened as a folder and checked; the caller may fix modes through the fd.
UniqueFd open_checked(const std::filesystem::path& root) {
  if (root.has_parent_path()) fs::make_dirs(root.parent_path(), 0755);
  if (::mkdir(root.c_str(), kRootMode) == 0) ::chmod(root.c_str(), kRootMode);  // not narrowed by the umask
  else if (errno != EEXIST) throw SystemError("create the state root " + root.string(), errno);
  // A symlink as the root itself is an administrator's choice (a root on another disk) and
  // is followed; what it leads to is checked like any root.
  UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw SystemError("open the state root " + root.string(), errno);
  struct stat st;
  check_syscall(::fstat(fd.get(), &st), "stat the state root " + root.string());
  if (st.st_uid != ::geteuid())
    throw Error("the state root " + root.string() + " belongs to uid " + std::to_string(st.st_uid) + ", not to uid " +
                std::to_string(::geteuid()) + ": refusing to use it (another user could change what containers run); " +
                "chown it or choose another MYCOMPOSE_ROOT");
  const unsigned mode = st.st_mode & 07777;
  if (mode & ~kRootMode) check_syscall(::fchmod(fd.get(), mode & kRootMode), "chmod the state root " + root.string());
  return fd;
}

}  // namespace

void ensure(const std::filesystem::path& root) { open_checked(root); }

void repair(const std::filesystem::path& root) {
  UniqueFd fd = open_checked(root);
  int listing = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0);
  DIR* d = listing < 0 ? nullptr : ::fdopendir(listing);
  if (!d) throw SystemError("read the state root " + root.string(), errno);
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    UniqueFd sub(::openat(fd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) continue;  // a file, a socket or a symlink: nothing below it to protect
    struct stat st;
    if (::fstat(sub.get(), &st) == 0 && (st.st_mode & 07777 & ~kFolderMode)) ::fchmod(sub.get(), st.st_mode & kFolderMode);
  }
  ::closedir(d);
}

}  // namespace mycompose::state_root
