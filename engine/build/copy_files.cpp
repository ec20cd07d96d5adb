#include "copy_files.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "in_root.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/common/untrusted_file.hpp"

namespace mycompose::build {
namespace {

std::string join(const std::string& a, const std::string& b) {
  if (a.empty() || a == "/") return (a == "/" ? "/" : "") + b;
  return a + "/" + b;
}

void copy_bytes(int in, int out, const std::string& what) {
  while (true) {
    auto n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
    if (n == 0) return;
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) throw SystemError("copy " + what, errno);
    break;
  }
  char buf[65536];
  while (true) {
    auto n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError("read " + what, errno);
    if (n == 0) return;
    for (ssize_t off = 0; off < n;) {
      auto w = ::write(out, buf + off, static_cast<std::size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw SystemError("write " + what, errno);
      off += w;
    }
  }
}

// Replaces whatever non-folder is at name in the folder parent (a symlink must be replaced, not
// followed).
void remove_non_dir(int parent, const std::string& name) {
  struct stat st {};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) ::unlinkat(parent, name.c_str(), 0);
}

// follow_last: a top-level source that is a symlink is copied as what it points to (inside
// its root), as Docker does; below a folder, links are copied as links and never opened.
void copy_file(int src_root, const std::string& src, const struct stat& st, int dst_root, const std::string& dst, const CopyOptions& o,
               bool follow_last) {
  auto [parent, name] = split_parent(dst);
  auto pfd = make_dirs_in_root(dst_root, parent);
  // Context or image content: checked to be a regular file before it is opened for reading.
  UniqueFd in = fs::open_untrusted(src_root, src, src, {.in_root = true, .follow_last = follow_last});
  mode_t mode = o.chmod ? *o.chmod : (st.st_mode & 07777);
  // Writing through a symlink at the destination would follow it (inside the root); Docker
  // replaces the link instead.
  UniqueFd dir = open_in_root_or_throw(dst_root, parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY, "open");
  remove_non_dir(dir.get(), name);
  UniqueFd out(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw SystemError("create " + dst, errno);
  copy_bytes(in.get(), out.get(), src + " to " + dst);
  if (::fchown(out.get(), o.uid, o.gid) != 0) throw SystemError("chown " + dst, errno);
  if (::fchmod(out.get(), mode) != 0) throw SystemError("chmod " + dst, errno);
  timespec times[2] = {st.st_atim, st.st_mtim};
  ::futimens(out.get(), times);
}

void copy_symlink(int src_root, const std::string& src, int dst_root, const std::string& dst, const CopyOptions& o) {
  auto [sparent, sname] = split_parent(src);
  UniqueFd sdir = open_in_root_or_throw(src_root, sparent.empty() ? "/" : sparent, O_RDONLY | O_DIRECTORY, "open");
  char buf[4096];
  auto n = ::readlinkat(sdir.get(), sname.c_str(), buf, sizeof buf - 1);
  if (n < 0) throw SystemError("readlink " + src, errno);
  std::string target(buf, static_cast<std::size_t>(n));
  auto [parent, name] = split_parent(dst);
  make_dirs_in_root(dst_root, parent);
  UniqueFd dir = open_in_root_or_throw(dst_root, parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY, "open");
  remove_non_dir(dir.get(), name);
  if (::symlinkat(target.c_str(), dir.get(), name.c_str()) != 0) throw SystemError("symlink " + dst, errno);
  if (::fchownat(dir.get(), name.c_str(), o.uid, o.gid, AT_SYMLINK_NOFOLLOW) != 0) throw SystemError("chown " + dst, errno);
}

void copy_dir(int src_root, const std::string& src, const struct stat& st, int dst_root, const std::string& dst, const CopyOptions& o,
              const std::string& rel) {
  // A folder .dockerignore excludes is walked only for re-included files ('!'); it appears in
  // the image only as their parent.
  const bool excluded = o.ignore && !rel.empty() && o.ignore->excluded(rel);
  if (!excluded) {
    if (!lstat_in_root(dst_root, dst)) make_dirs_in_root(dst_root, dst, o.chmod ? *o.chmod : (st.st_mode & 07777), o.uid, o.gid);
    else make_dirs_in_root(dst_root, dst);  // an existing folder keeps its mode and owner
  }
  UniqueFd fd = open_in_root_or_throw(src_root, src.empty() ? "/" : src, O_RDONLY | O_DIRECTORY, "open");
  DIR* d = ::fdopendir(fd.get());
  if (!d) throw SystemError("opendir " + src, errno);
  fd.release();
  std::vector<std::string> names;
  while (dirent* de = ::readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  for (const auto& n : names) {
    std::string child_rel = rel.empty() ? n : rel + "/" + n;
    auto cst = lstat_in_root(src_root, join(src, n));
    if (!cst) continue;
    if (o.ignore && o.ignore->excluded(child_rel) && !(S_ISDIR(cst->st_mode) && o.ignore->has_exceptions())) continue;
    if (S_ISDIR(cst->st_mode)) copy_dir(src_root, join(src, n), *cst, dst_root, join(dst, n), o, child_rel);
    else if (o.ignore && o.ignore->excluded(child_rel)) continue;
    else if (S_ISREG(cst->st_mode)) copy_file(src_root, join(src, n), *cst, dst_root, join(dst, n), o, false);
    else if (S_ISLNK(cst->st_mode)) copy_symlink(src_root, join(src, n), dst_root, join(dst, n), o);
    // sockets, fifos and devices are not part of a build context
  }
  // Folder times last: copying into it changed them.
  if (excluded) return;
  UniqueFd out = open_in_root_or_throw(dst_root, dst, O_RDONLY | O_DIRECTORY, "open");
  timespec times[2] = {st.st_atim, st.st_mtim};
  ::futimens(out.get(), times);
}

}  // namespace

void copy_path(int src_root, const std::string& src_path, int dst_root, const std::string& dst_path, const CopyOptions& o) {
  // The top-level source follows a symlink (inside its root), as Docker does.
  auto st = stat_in_root(src_root, src_path.empty() ? "/" : src_path);
  if (!st) throw SystemError("stat " + (src_path.empty() ? "/" : src_path), errno);
  if (S_ISDIR(st->st_mode)) {
    copy_dir(src_root, src_path, *st, dst_root, dst_path, o, src_path);
  } else if (S_ISREG(st->st_mode)) {
    copy_file(src_root, src_path, *st, dst_root, dst_path, o, true);
  } else {
    throw Error("cannot copy: " + src_path + " is " + fs::file_type_name(st->st_mode) + ", not a regular file or folder");
  }
}

void write_file_in_root(int dst_root, const std::string& dst_path, const std::string& data, mode_t mode, const CopyOptions& o) {
  auto [parent, name] = split_parent(dst_path);
  make_dirs_in_root(dst_root, parent);
  UniqueFd dir = open_in_root_or_throw(dst_root, parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY, "open");
  remove_non_dir(dir.get(), name);
  UniqueFd out(::openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw SystemError("create " + dst_path, errno);
  if (::write(out.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size())) throw SystemError("write " + dst_path, errno);
  if (::fchown(out.get(), o.uid, o.gid) != 0) throw SystemError("chown " + dst_path, errno);
  if (::fchmod(out.get(), o.chmod ? *o.chmod : mode) != 0) throw SystemError("chmod " + dst_path, errno);
}

bool extract_archive_if_any(int src_root, const std::string& src_path, int dst_root, const std::string& dst_dir) {
  UniqueFd in = fs::open_untrusted(src_root, src_path, src_path);
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_fd(a.get(), in.get(), 65536) != ARCHIVE_OK) return false;
  archive_entry* e = nullptr;
  int rc = archive_read_next_header(a.get(), &e);
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return false;  // not an archive: copied as a file
  make_dirs_in_root(dst_root, dst_dir);
  for (; rc == ARCHIVE_OK || rc == ARCHIVE_WARN; rc = archive_read_next_header(a.get(), &e)) {
    std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    while (name.rfind("./", 0) == 0) name.erase(0, 2);
    while (!name.empty() && name.back() == '/') name.pop_back();
    if (name.empty() || name == ".") continue;
    // Names are resolved inside the root below, so "../x" cannot leave it either.
    std::string dst = join(dst_dir, name);
    auto uid = static_cast<uid_t>(archive_entry_uid(e));
    auto gid = static_cast<gid_t>(archive_entry_gid(e));
    mode_t mode = archive_entry_perm(e);
    auto type = archive_entry_filetype(e);
    auto [parent, base] = split_parent(dst);
    if (const char* hl = archive_entry_hardlink(e)) {
      std::string target = join(dst_dir, hl);
      UniqueFd t = open_in_root_or_throw(dst_root, target, O_PATH | O_NOFOLLOW, "open hard link target");
      auto pfd = make_dirs_in_root(dst_root, parent);
      UniqueFd dir = open_in_root_or_throw(dst_root, parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY, "open");
      remove_non_dir(dir.get(), base);
      if (::linkat(t.get(), "", dir.get(), base.c_str(), AT_EMPTY_PATH) != 0) throw SystemError("link " + dst, errno);
      continue;
    }
    if (type == AE_IFDIR) {
      auto fd = make_dirs_in_root(dst_root, dst, mode, uid, gid);
      continue;
    }
    make_dirs_in_root(dst_root, parent);
    UniqueFd dir = open_in_root_or_throw(dst_root, parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY, "open");
    remove_non_dir(dir.get(), base);
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(e);
      if (::symlinkat(target ? target : "", dir.get(), base.c_str()) != 0) throw SystemError("symlink " + dst, errno);
      ::fchownat(dir.get(), base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    } else if (type == AE_IFREG) {
      UniqueFd out(::openat(dir.get(), base.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!out) throw SystemError("create " + dst, errno);
      const void* buf;
      size_t size;
      la_int64_t off;
      while (archive_read_data_block(a.get(), &buf, &size, &off) == ARCHIVE_OK) {
        if (::pwrite(out.get(), buf, size, off) != static_cast<ssize_t>(size)) throw SystemError("write " + dst, errno);
      }
      if (::fchown(out.get(), uid, gid) != 0 || ::fchmod(out.get(), mode) != 0) throw SystemError("chown/chmod " + dst, errno);
      timespec times[2] = {{archive_entry_mtime(e), 0}, {archive_entry_mtime(e), 0}};
      ::futimens(out.get(), times);
    }
  }
  if (rc != ARCHIVE_EOF) throw Error("ADD " + src_path + ": " + (archive_error_string(a.get()) ? archive_error_string(a.get()) : "bad archive"));
  return true;
}

}  // namespace mycompose::build
