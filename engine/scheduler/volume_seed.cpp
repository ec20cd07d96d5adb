#include "mycompose/scheduler/volume_seed.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/runtime/in_root.hpp"

namespace mycompose::scheduler {
namespace {

// Hand-written over fds (openat/mkdirat/…, never following a link) rather than libarchive's
// disk reader, which walks by path names: the image side is a container's root whose
// symlinks must not lead the copy outside it, and the volume side may be shared with running
// containers, which can swap any name for a link while we copy. So every name is created
// exclusively, opened O_NOFOLLOW, checked to be what we created, and from then on only its
// fd is used (fchown/fchmod/futimens); a name is never looked up twice to change it.

std::string where(const std::string& name) { return "\"" + name + "\""; }

// Owner, mode and times of an object we just made, through its fd. `fd` may be O_PATH (a
// link, a node): then chown goes through AT_EMPTY_PATH and chmod through the fd's /proc link,
// which names the very inode (not a path that could be swapped).
void set_metadata(int fd, bool o_path, const struct stat& st, const std::string& name) {
  if (::fchownat(fd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) throw SystemError("chown " + where(name), errno);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (S_ISLNK(st.st_mode)) return;  // a link has no mode; copy_tree sets its times
  if (!o_path) {
    if (::fchmod(fd, st.st_mode & 07777) != 0) throw SystemError("chmod " + where(name), errno);
    ::futimens(fd, times);
    return;
  }
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::chmod(proc.c_str(), st.st_mode & 07777) != 0) throw SystemError("chmod " + where(name), errno);
  ::utimensat(AT_FDCWD, proc.c_str(), times, 0);
}

// The object just made at dst_dir/name, opened without following a link, and refused unless it
// is of the type we made (someone swapped it).
UniqueFd reopen_made(int dst_dir, const std::string& name, mode_t type, int flags) {
  UniqueFd fd(::openat(dst_dir, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || (st.st_mode & S_IFMT) != type)
    throw Error(where(name) + " in the volume changed while it was copied (a container sharing the volume?)");
  return fd;
}

void copy_file(int src_dir, int dst_dir, const std::string& name) {
  // If a FIFO or a device took the file's place, it is refused, never opened.
  struct stat st;
  UniqueFd in = fs::open_untrusted(src_dir, name, where(name) + " in the image", {.in_root = false, .follow_last = false}, &st);
  UniqueFd out(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw SystemError("create " + where(name) + " in the volume", errno);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw SystemError("copy " + where(name) + " into the volume", n < 0 ? errno : EIO);
    left -= n;
  }
  set_metadata(out.get(), false, st, name);
}

void copy_tree(int src_dir, int dst_dir, int depth) {
  if (depth > 256) throw Error("seed volume: folders nested too deep");
  int listing = ::fcntl(src_dir, F_DUPFD_CLOEXEC, 0);
  DIR* d = listing < 0 ? nullptr : ::fdopendir(listing);
  if (!d) throw SystemError("read a folder of the image", errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d))
    if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..") names.emplace_back(e->d_name);
  ::closedir(d);
  for (const auto& n : names) {
    const char* name = n.c_str();
    struct stat st;
    if (::fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) throw SystemError("stat " + where(n) + " in the image", errno);
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dst_dir, name, 0700) != 0) throw SystemError("mkdir " + where(n) + " in the volume", errno);
      UniqueFd s(::openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s) throw SystemError("open folder " + where(n) + " in the image", errno);
      UniqueFd t = reopen_made(dst_dir, n, S_IFDIR, O_RDONLY | O_DIRECTORY);
      copy_tree(s.get(), t.get(), depth + 1);
      set_metadata(t.get(), false, st, n);  // after its content, so the times stay
    } else if (S_ISREG(st.st_mode)) {
      copy_file(src_dir, dst_dir, n);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t len = ::readlinkat(src_dir, name, target.data(), target.size());
      if (len < 0) throw SystemError("readlink " + where(n) + " in the image", errno);
      target.resize(static_cast<std::size_t>(len));
      if (::symlinkat(target.c_str(), dst_dir, name) != 0) throw SystemError("symlink " + where(n) + " in the volume", errno);
      set_metadata(reopen_made(dst_dir, n, S_IFLNK, O_PATH).get(), true, st, n);
      // Times of the entry itself (AT_SYMLINK_NOFOLLOW): whatever the name holds now, nothing
      // is followed, and times are all that could land on another entry of this folder.
      const timespec times[2] = {st.st_atim, st.st_mtim};
      ::utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW);
    } else {
      // A FIFO, socket or device: made, never opened for reading or writing.
      if (::mknodat(dst_dir, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) throw SystemError("mknod " + where(n) + " in the volume", errno);
      set_metadata(reopen_made(dst_dir, n, st.st_mode & S_IFMT, O_PATH).get(), true, st, n);
    }
  }
}

bool is_empty_dir(int dir_fd) {
  int listing = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  DIR* d = listing < 0 ? nullptr : ::fdopendir(listing);
  if (!d) throw SystemError("read the volume folder", errno);
  bool empty = true;
  while (dirent* e = ::readdir(d))
    if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..") empty = false;
  ::closedir(d);
  return empty;
}

}  // namespace

bool seed_volume(const std::filesystem::path& rootfs, const std::string& target, const std::filesystem::path& volume_data) {
  UniqueFd root(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw SystemError("open " + rootfs.string(), errno);
  UniqueFd src = runtime::open_in_root(root.get(), target, O_RDONLY | O_DIRECTORY);
  if (!src) return false;  // nothing (or no folder) there in the image
  UniqueFd dst(::open(volume_data.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dst) throw SystemError("open " + volume_data.string(), errno);
  if (!is_empty_dir(dst.get())) return false;
  try {
    copy_tree(src.get(), dst.get(), 0);
  } catch (const Error& e) {
    throw Error("fill volume " + volume_data.parent_path().filename().string() + " from the image's " + target + ": " + e.what());
  }
  struct stat st;
  if (::fstat(src.get(), &st) == 0) {
    ::fchown(dst.get(), st.st_uid, st.st_gid);
    ::fchmod(dst.get(), st.st_mode & 07777);
  }
  return true;
}

}  // namespace mycompose::scheduler
