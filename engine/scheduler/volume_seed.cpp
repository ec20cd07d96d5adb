#include "mycompose/scheduler/volume_seed.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/in_root.hpp"

namespace mycompose::scheduler {
namespace {

// Hand-written over fds (openat/mkdirat/…, never following a link) rather than libarchive's
// disk reader, which walks by path names: the image side is a container's root whose
// symlinks must not lead the copy outside it.
void copy_metadata(int dir_fd, const char* name, const struct stat& st) {
  if (::fchownat(dir_fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) throw SystemError(std::string("chown ") + name, errno);
  if (!S_ISLNK(st.st_mode) && ::fchmodat(dir_fd, name, st.st_mode & 07777, 0) != 0) throw SystemError(std::string("chmod ") + name, errno);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  ::utimensat(dir_fd, name, times, AT_SYMLINK_NOFOLLOW);
}

void copy_file(int src_dir, int dst_dir, const char* name, const struct stat& st) {
  UniqueFd in(::openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) throw SystemError(std::string("open ") + name + " in the image", errno);
  UniqueFd out(::openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw SystemError(std::string("create ") + name + " in the volume", errno);
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw SystemError(std::string("copy ") + name + " into the volume", n < 0 ? errno : EIO);
    left -= n;
  }
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
    if (::fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) throw SystemError("stat " + n + " in the image", errno);
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dst_dir, name, 0700) != 0) throw SystemError("mkdir " + n + " in the volume", errno);
      UniqueFd s(::openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      UniqueFd t(::openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s || !t) throw SystemError("open folder " + n, errno);
      copy_tree(s.get(), t.get(), depth + 1);
    } else if (S_ISREG(st.st_mode)) {
      copy_file(src_dir, dst_dir, name, st);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t len = ::readlinkat(src_dir, name, target.data(), target.size());
      if (len < 0) throw SystemError("readlink " + n + " in the image", errno);
      target.resize(static_cast<std::size_t>(len));
      if (::symlinkat(target.c_str(), dst_dir, name) != 0) throw SystemError("symlink " + n + " in the volume", errno);
    } else if (::mknodat(dst_dir, name, st.st_mode, st.st_rdev) != 0) {
      throw SystemError("mknod " + n + " in the volume", errno);
    }
    copy_metadata(dst_dir, name, st);
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
