#include "copy_entries.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/untrusted_file.hpp"

namespace mycompose::scheduler::copy {
namespace {

std::string proc_fd(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// An O_PATH fd opened again for reading (the usual way; the kernel checks the inode, not a path).
UniqueFd reopen(int fd, int flags, const std::string& what) {
  UniqueFd r(::open(proc_fd(fd).c_str(), flags | O_CLOEXEC));
  if (!r) throw SystemError("open " + what, errno);
  return r;
}

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "/" + b; }

void walk(int fd, const std::string& path, const Emit& emit) {
  struct stat st;
  check_syscall(::fstat(fd, &st), "stat " + path);
  Entry e;
  e.path = path;
  e.mode = st.st_mode;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.mtime = st.st_mtim;
  e.rdev = st.st_rdev;
  e.size = st.st_size;
  if (S_ISLNK(st.st_mode)) {
    std::vector<char> buf(st.st_size + 1 > 4096 ? st.st_size + 1 : 4096);
    ssize_t n = ::readlinkat(fd, "", buf.data(), buf.size());
    if (n < 0) throw SystemError("readlink " + path, errno);
    e.link.assign(buf.data(), n);
    emit(e);
    return;
  }
  if (S_ISREG(st.st_mode)) {
    // Container content: the inode fstat'ed is the one read (never a FIFO put there since).
    UniqueFd content = fs::reopen_untrusted(fd, path);
    e.read = [&content](char* buf, size_t n) { return ::read(content.get(), buf, n); };
    emit(e);
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    emit(e);
    return;
  }
  UniqueFd dir = reopen(fd, O_RDONLY | O_DIRECTORY, path);
  char opaque = 0;
  e.opaque = ::fgetxattr(dir.get(), "trusted.overlay.opaque", &opaque, 1) == 1 && opaque == 'y';
  emit(e);
  DIR* d = ::fdopendir(::dup(dir.get()));
  if (!d) throw SystemError("read folder " + path, errno);
  std::vector<std::string> names;
  while (auto* de = ::readdir(d))
    if (std::string n = de->d_name; n != "." && n != "..") names.push_back(n);
  ::closedir(d);
  for (const auto& n : names) {
    UniqueFd child(::openat(dir.get(), n.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!child) {
      if (errno == ENOENT) continue;  // removed while we copy
      throw SystemError("open " + join(path, n), errno);
    }
    walk(child.get(), join(path, n), emit);
  }
}

}  // namespace

void walk_tree(UniqueFd top, const std::string& name, const Emit& emit) { walk(top.get(), name, emit); }

std::string clean_relative(const std::string& path) {
  if (!path.empty() && path[0] == '/') throw Error("refusing the absolute path \"" + path + "\" in the archive");
  std::string out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") throw Error("refusing the path \"" + path + "\" in the archive: it climbs out with ..");
    if (!part.empty() && part != ".") out = join(out, part);
    i = j + 1;
  }
  return out;
}

DirWriter::DirWriter(UniqueFd base, std::optional<std::pair<uid_t, gid_t>> owner, std::string where)
    : base_(std::move(base)), owner_(owner), where_(std::move(where)) {}

UniqueFd DirWriter::parent_of(const std::string& path, std::string& name, bool create) {
  UniqueFd dir(::dup(base_.get()));
  size_t i = 0;
  for (;;) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) {
      name = path.substr(i);
      return dir;
    }
    const std::string part = path.substr(i, j - i);
    UniqueFd next(::openat(dir.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next && errno == ENOENT && create) {
      if (::mkdirat(dir.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
        throw SystemError("mkdir " + where_ + "/" + path.substr(0, j), errno);
      next.reset(::openat(dir.get(), part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!next) throw SystemError("open " + where_ + "/" + path.substr(0, j), errno);
    dir = std::move(next);
    i = j + 1;
  }
}

void DirWriter::put(const Entry& e) {
  const std::string what = where_ + (e.path.empty() ? "" : "/" + e.path);
  if (e.path.empty()) return;  // the folder the copy lands in keeps its own attributes
  std::string name;
  UniqueFd dir = parent_of(e.path, name, true);
  const uid_t uid = owner_ ? owner_->first : e.uid;
  const gid_t gid = owner_ ? owner_->second : e.gid;
  struct stat old;
  const bool exists = ::fstatat(dir.get(), name.c_str(), &old, AT_SYMLINK_NOFOLLOW) == 0;
  if (S_ISDIR(e.mode)) {
    if (exists && !S_ISDIR(old.st_mode)) check_syscall(::unlinkat(dir.get(), name.c_str(), 0), "remove " + what);
    if ((!exists || !S_ISDIR(old.st_mode)) && ::mkdirat(dir.get(), name.c_str(), 0700) != 0) throw SystemError("mkdir " + what, errno);
    UniqueFd d(::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!d) throw SystemError("open " + what, errno);
    check_syscall(::fchown(d.get(), uid, gid), "chown " + what);
    check_syscall(::fchmod(d.get(), e.mode & 07777), "chmod " + what);
  } else {
    if (exists) {
      if (S_ISDIR(old.st_mode)) throw Error("cannot overwrite directory " + what + " with non-directory");
      check_syscall(::unlinkat(dir.get(), name.c_str(), 0), "remove " + what);
    }
    if (S_ISREG(e.mode)) {
      UniqueFd f(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!f) throw SystemError("create " + what, errno);
      char buf[65536];
      for (;;) {
        ssize_t n = e.read ? e.read(buf, sizeof buf) : 0;
        if (n < 0) throw SystemError("read the source of " + what, errno);
        if (n == 0) break;
        for (ssize_t off = 0; off < n;) {
          ssize_t w = ::write(f.get(), buf + off, n - off);
          if (w < 0) throw SystemError("write " + what, errno);
          off += w;
        }
      }
      check_syscall(::fchown(f.get(), uid, gid), "chown " + what);
      check_syscall(::fchmod(f.get(), e.mode & 07777), "chmod " + what);
    } else if (S_ISLNK(e.mode)) {
      check_syscall(::symlinkat(e.link.c_str(), dir.get(), name.c_str()), "symlink " + what);
      check_syscall(::fchownat(dir.get(), name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW), "chown " + what);
    } else {
      check_syscall(::mknodat(dir.get(), name.c_str(), e.mode, e.rdev), "mknod " + what);
      check_syscall(::fchownat(dir.get(), name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW), "chown " + what);
    }
  }
  const timespec times[2] = {e.mtime, e.mtime};
  check_syscall(::utimensat(dir.get(), name.c_str(), times, AT_SYMLINK_NOFOLLOW), "set the times of " + what);
}

}  // namespace mycompose::scheduler::copy
