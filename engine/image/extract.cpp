// Layer extraction. libarchive reads the tar, but does not write it: archive_write_disk
// resolves paths by name and cannot confine symlinks inside a folder the way openat2's
// RESOLVE_IN_ROOT does, so every entry is written here with *at() calls relative to a
// directory fd that was resolved inside the layer root (the equivalent of moby's chrooted
// unpack, without forking).
#include "extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <array>
#include <cstring>
#include <dirent.h>
#include <memory>
#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "tar_path.hpp"

namespace mycompose::image {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";

int openat2_in_root(int root, const std::string& rel, int flags) {
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, root, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN) return static_cast<int>(fd);
  }
}

// The path of an open directory relative to the layer root (for symlink target checks).
std::string rel_path_of(int dirfd, const std::string& root_real) {
  char buf[PATH_MAX];
  std::string link = "/proc/self/fd/" + std::to_string(dirfd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0) throw SystemError("readlink " + link, errno);
  std::string p(buf, static_cast<std::size_t>(n));
  if (p == root_real) return "";
  if (p.compare(0, root_real.size() + 1, root_real + "/") != 0)
    throw Error("resolved folder " + p + " is outside the layer root " + root_real);
  return p.substr(root_real.size() + 1);
}

class Extractor {
 public:
  Extractor(const std::filesystem::path& dest, std::string_view label) : label_(label) {
    root_.reset(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_) throw SystemError("open " + dest.string(), errno);
    root_real_ = std::filesystem::canonical(dest).string();
    as_root_ = ::geteuid() == 0;
  }

  void entry(struct archive* ar, struct archive_entry* e) {
    const char* raw = archive_entry_pathname(e);
    name_ = raw ? raw : "";
    // Moby strips a leading "/"; we refuse it (DESIGN.md): a layer made by a real tool never
    // has one, so such an entry is a crafted tarball and the user should hear about it.
    if (!name_.empty() && name_.front() == '/') refuse("absolute path in a layer");
    auto clean = clean_tar_path(name_);
    if (!clean) refuse("path leads outside the layer");
    const std::string& rel = *clean;
    auto type = archive_entry_filetype(e);

    if (rel.empty()) {  // the layer root itself ("./"): only its metadata applies
      if (type == AE_IFDIR) apply_metadata(root_.get(), e, true);
      return;
    }
    auto slash = rel.rfind('/');
    std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
    std::string base = slash == std::string::npos ? rel : rel.substr(slash + 1);
    UniqueFd dir = open_parent(parent);

    if (base == kOpaqueWhiteout) {
      set_xattr(dir.get(), "trusted.overlay.opaque", "y", 1);
      return;
    }
    if (base.compare(0, kWhiteoutPrefix.size(), kWhiteoutPrefix) == 0) {
      std::string victim = base.substr(kWhiteoutPrefix.size());
      if (victim.compare(0, kWhiteoutPrefix.size(), kWhiteoutPrefix) == 0) return;  // aufs metadata (.wh..wh.plnk…)
      if (victim.empty() || victim == "." || victim == "..") refuse("invalid whiteout");
      remove_existing(dir.get(), victim, false);
      if (::mknodat(dir.get(), victim.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0) fail("mknod whiteout", errno);
      chown_at(dir.get(), victim, e);
      return;
    }

    switch (type) {
      case AE_IFDIR: make_dir(dir.get(), base, rel, e); break;
      case AE_IFREG:
        if (const char* hl = archive_entry_hardlink(e)) make_hardlink(dir.get(), base, hl);
        else write_file(ar, dir.get(), base, e);
        break;
      case AE_IFLNK: make_symlink(dir.get(), base, e); break;
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO: make_node(dir.get(), base, e); break;
      default:
        if (const char* hl = archive_entry_hardlink(e)) make_hardlink(dir.get(), base, hl);
        else refuse("unsupported entry type");
    }
  }

  // Directory times last: creating entries inside a folder changes its mtime.
  void finish() {
    for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
      UniqueFd fd(openat2_in_root(root_.get(), it->first, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      if (fd) ::futimens(fd.get(), it->second.data());
    }
  }

  std::int64_t size() const { return size_; }

 private:
  [[noreturn]] void refuse(const std::string& why) {
    throw Error(label_ + ": entry \"" + name_ + "\": " + why);
  }
  [[noreturn]] void fail(const std::string& what, int err) {
    throw Error(label_ + ": entry \"" + name_ + "\": " + what + ": " + std::strerror(err));
  }

  // Opens (creating as needed, mode 0755) the folder `parent` resolved inside the layer root.
  UniqueFd open_parent(const std::string& parent) {
    UniqueFd fd(openat2_in_root(root_.get(), parent, O_RDONLY | O_DIRECTORY));
    if (fd) return fd;
    if (errno != ENOENT) fail("open folder \"" + parent + "\"", errno);
    UniqueFd cur(::dup(root_.get()));
    std::string prefix;
    std::size_t start = 0;
    while (start <= parent.size()) {
      auto slash = parent.find('/', start);
      std::string comp = parent.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      prefix = prefix.empty() ? comp : prefix + "/" + comp;
      UniqueFd next(openat2_in_root(root_.get(), prefix, O_RDONLY | O_DIRECTORY));
      if (!next && errno == ENOENT) {
        if (::mkdirat(cur.get(), comp.c_str(), 0755) < 0 && errno != EEXIST) fail("mkdir \"" + prefix + "\"", errno);
        next.reset(openat2_in_root(root_.get(), prefix, O_RDONLY | O_DIRECTORY));
      }
      if (!next) fail("open folder \"" + prefix + "\"", errno);
      cur = std::move(next);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    return cur;
  }

  // An entry replaces whatever is at its name, except a folder over a folder (merged).
  void remove_existing(int dir, const std::string& base, bool keep_dir) {
    struct stat st {};
    if (::fstatat(dir, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) return;
      fail("stat", errno);
    }
    if (S_ISDIR(st.st_mode)) {
      if (keep_dir) return;
      remove_tree_at(dir, base);
    } else if (::unlinkat(dir, base.c_str(), 0) < 0) {
      fail("unlink existing entry", errno);
    }
  }

  void remove_tree_at(int dir, const std::string& base) {
    UniqueFd fd(::openat(dir, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) fail("open existing folder", errno);
    std::vector<std::pair<std::string, bool>> children;
    {
      UniqueFd dupfd(::dup(fd.get()));
      DIR* d = ::fdopendir(dupfd.release());
      if (!d) fail("read existing folder", errno);
      while (auto* de = ::readdir(d)) {
        std::string n = de->d_name;
        if (n == "." || n == "..") continue;
        children.emplace_back(n, de->d_type == DT_DIR);
      }
      ::closedir(d);
    }
    for (const auto& [n, is_dir] : children) {
      if (is_dir) remove_tree_at(fd.get(), n);
      else if (::unlinkat(fd.get(), n.c_str(), 0) < 0) fail("remove existing " + n, errno);
    }
    if (::unlinkat(dir, base.c_str(), AT_REMOVEDIR) < 0) fail("remove existing folder", errno);
  }

  void chown_at(int dir, const std::string& base, struct archive_entry* e) {
    if (::fchownat(dir, base.c_str(), static_cast<uid_t>(archive_entry_uid(e)), static_cast<gid_t>(archive_entry_gid(e)),
                   AT_SYMLINK_NOFOLLOW) < 0 &&
        (as_root_ || errno != EPERM))
      fail("chown", errno);
  }

  void set_xattr(int fd, const char* key, const void* value, std::size_t len) {
    if (::fsetxattr(fd, key, value, len, 0) < 0 && errno != ENOTSUP) fail(std::string("setxattr ") + key, errno);
  }

  // Owner, then mode (chown clears set-id bits), xattrs, and for non-folders the times.
  void apply_metadata(int fd, struct archive_entry* e, bool is_dir) {
    if (::fchown(fd, static_cast<uid_t>(archive_entry_uid(e)), static_cast<gid_t>(archive_entry_gid(e))) < 0 &&
        (as_root_ || errno != EPERM))
      fail("chown", errno);
    if (::fchmod(fd, archive_entry_perm(e) & 07777) < 0) fail("chmod", errno);
    archive_entry_xattr_reset(e);
    const char* key;
    const void* value;
    std::size_t len;
    while (archive_entry_xattr_next(e, &key, &value, &len) == ARCHIVE_OK) {
      if (std::strcmp(key, "security.selinux") == 0) continue;  // host policy decides labels
      set_xattr(fd, key, value, len);
    }
    if (!is_dir) {
      auto ts = times_of(e);
      ::futimens(fd, ts.data());
    }
  }

  static std::array<struct timespec, 2> times_of(struct archive_entry* e) {
    std::array<struct timespec, 2> ts{};
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (archive_entry_atime_is_set(e)) {
      ts[0].tv_sec = archive_entry_atime(e);
      ts[0].tv_nsec = archive_entry_atime_nsec(e);
    } else {
      ts[0] = ts[1];
    }
    return ts;
  }

  void make_dir(int dir, const std::string& base, const std::string& rel, struct archive_entry* e) {
    remove_existing(dir, base, true);
    if (::mkdirat(dir, base.c_str(), 0700) < 0 && errno != EEXIST) fail("mkdir", errno);
    UniqueFd fd(::openat(dir, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) fail("open folder", errno);
    apply_metadata(fd.get(), e, true);
    dir_times_.emplace_back(rel, times_of(e));
  }

  void write_file(struct archive* ar, int dir, const std::string& base, struct archive_entry* e) {
    remove_existing(dir, base, false);
    UniqueFd fd(::openat(dir, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) fail("create", errno);
    const void* buf;
    std::size_t len;
    la_int64_t offset;
    for (;;) {
      int r = archive_read_data_block(ar, &buf, &len, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) throw Error(label_ + ": entry \"" + name_ + "\": " + archive_error_string(ar));
      auto* p = static_cast<const char*>(buf);
      while (len > 0) {
        ssize_t n = ::pwrite(fd.get(), p, len, offset);
        if (n < 0) {
          if (errno == EINTR) continue;
          fail("write", errno);
        }
        p += n;
        len -= static_cast<std::size_t>(n);
        offset += n;
      }
    }
    auto size = archive_entry_size(e);
    if (::ftruncate(fd.get(), size) < 0) fail("truncate", errno);  // trailing sparse hole
    size_ += size;
    apply_metadata(fd.get(), e, false);
  }

  void make_hardlink(int dir, const std::string& base, const char* target_raw) {
    auto target = clean_tar_path(target_raw, /*clamp_at_root=*/false);
    if (!target || target->empty())
      refuse("hardlink to \"" + std::string(target_raw) + "\" leads outside the layer");
    auto slash = target->rfind('/');
    std::string tparent = slash == std::string::npos ? "" : target->substr(0, slash);
    std::string tbase = slash == std::string::npos ? *target : target->substr(slash + 1);
    UniqueFd tdir(openat2_in_root(root_.get(), tparent, O_RDONLY | O_DIRECTORY));
    if (!tdir) fail("hardlink target \"" + std::string(target_raw) + "\"", errno);
    struct stat st {};
    if (::fstatat(tdir.get(), tbase.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      fail("hardlink target \"" + std::string(target_raw) + "\"", errno);
    if (S_ISDIR(st.st_mode)) refuse("hardlink to folder \"" + std::string(target_raw) + "\"");
    remove_existing(dir, base, false);
    if (::linkat(tdir.get(), tbase.c_str(), dir, base.c_str(), 0) < 0) fail("link", errno);
  }

  void make_symlink(int dir, const std::string& base, struct archive_entry* e) {
    const char* target = archive_entry_symlink(e);
    if (!target || !*target) refuse("symlink without a target");
    // Where the link really sits (parents may be symlinks) + its target must stay inside.
    std::string joined = target;
    if (target[0] != '/') {
      std::string here = rel_path_of(dir, root_real_);
      if (!here.empty()) joined = here + "/" + target;
    }
    if (!clean_tar_path(joined, /*clamp_at_root=*/false))
      refuse("symlink to \"" + std::string(target) + "\" leads outside the layer");
    remove_existing(dir, base, false);
    if (::symlinkat(target, dir, base.c_str()) < 0) fail("symlink", errno);
    chown_at(dir, base, e);
    auto ts = times_of(e);
    ::utimensat(dir, base.c_str(), ts.data(), AT_SYMLINK_NOFOLLOW);
  }

  void make_node(int dir, const std::string& base, struct archive_entry* e) {
    remove_existing(dir, base, false);
    if (::mknodat(dir, base.c_str(), archive_entry_mode(e), archive_entry_rdev(e)) < 0) fail("mknod", errno);
    chown_at(dir, base, e);
    if (::fchmodat(dir, base.c_str(), archive_entry_perm(e) & 07777, 0) < 0) fail("chmod", errno);
    auto ts = times_of(e);
    ::utimensat(dir, base.c_str(), ts.data(), AT_SYMLINK_NOFOLLOW);
  }

  std::string label_;
  std::string name_;
  UniqueFd root_;
  std::string root_real_;
  bool as_root_ = true;
  std::int64_t size_ = 0;
  std::vector<std::pair<std::string, std::array<struct timespec, 2>>> dir_times_;
};

// The decompressing reader feeds the tar reader and hashes every byte it hands over, so the
// diff id comes from the same single pass that unpacks the layer.
struct HashingSource {
  struct archive* raw = nullptr;
  Sha256 hash;
  std::vector<char> buf = std::vector<char>(1 << 17);
};

la_ssize_t read_through(struct archive* a, void* ctx, const void** out) {
  auto* src = static_cast<HashingSource*>(ctx);
  la_ssize_t n = archive_read_data(src->raw, src->buf.data(), src->buf.size());
  if (n < 0) {
    archive_set_error(a, EIO, "%s", archive_error_string(src->raw));
    return -1;
  }
  src->hash.update(src->buf.data(), static_cast<std::size_t>(n));
  *out = src->buf.data();
  return n;
}

}  // namespace

ExtractResult extract_layer(const std::filesystem::path& archive_path, const std::filesystem::path& dest,
                            std::string_view label_in) {
  std::string label(label_in);
  ArchivePtr raw(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(raw.get());
  archive_read_support_format_raw(raw.get());
  if (archive_read_open_filename(raw.get(), archive_path.c_str(), 1 << 17) != ARCHIVE_OK)
    throw Error(label + ": " + archive_error_string(raw.get()));
  struct archive_entry* re;
  if (archive_read_next_header(raw.get(), &re) != ARCHIVE_OK)
    throw Error(label + ": " + (archive_error_string(raw.get()) ? archive_error_string(raw.get()) : "empty layer"));

  HashingSource src;
  src.raw = raw.get();
  ArchivePtr tar(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(tar.get());
  archive_read_support_format_empty(tar.get());
  if (archive_read_open(tar.get(), &src, nullptr, read_through, nullptr) != ARCHIVE_OK)
    throw Error(label + ": " + archive_error_string(tar.get()));

  Extractor x(dest, label);
  for (;;) {
    struct archive_entry* e;
    int r = archive_read_next_header(tar.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) throw Error(label + ": " + archive_error_string(tar.get()));
    x.entry(tar.get(), e);
  }
  x.finish();
  // The tar reader stops at the end-of-archive marker; the digest covers the whole stream.
  for (;;) {
    la_ssize_t n = archive_read_data(raw.get(), src.buf.data(), src.buf.size());
    if (n < 0) throw Error(label + ": " + archive_error_string(raw.get()));
    if (n == 0) break;
    src.hash.update(src.buf.data(), static_cast<std::size_t>(n));
  }
  return {"sha256:" + src.hash.hex(), x.size()};
}

}  // namespace mycompose::image

namespace mycompose::image {

std::int64_t read_uncompressed(const std::filesystem::path& file, std::string_view label_in,
                               const std::function<void(const void*, std::size_t)>& sink) {
  std::string label(label_in);
  ArchivePtr raw(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(raw.get());
  archive_read_support_format_raw(raw.get());
  struct archive_entry* e;
  if (archive_read_open_filename(raw.get(), file.c_str(), 1 << 17) != ARCHIVE_OK ||
      archive_read_next_header(raw.get(), &e) != ARCHIVE_OK)
    throw Error(label + ": " + (archive_error_string(raw.get()) ? archive_error_string(raw.get()) : "empty"));
  std::vector<char> buf(1 << 17);
  std::int64_t total = 0;
  for (;;) {
    la_ssize_t n = archive_read_data(raw.get(), buf.data(), buf.size());
    if (n < 0) throw Error(label + ": " + archive_error_string(raw.get()));
    if (n == 0) break;
    if (sink) sink(buf.data(), static_cast<std::size_t>(n));
    total += n;
  }
  return total;
}

std::string sniff_layer_media_type(const std::filesystem::path& blob) {
  unsigned char m[4] = {};
  UniqueFd fd(::open(blob.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw SystemError("open " + blob.string(), errno);
  ssize_t n = ::read(fd.get(), m, sizeof m);
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) return "application/vnd.docker.image.rootfs.diff.tar.gzip";
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.docker.image.rootfs.diff.tar";
}

int open_in_root(int root, const std::string& rel, int flags) { return openat2_in_root(root, rel, flags); }

}  // namespace mycompose::image
