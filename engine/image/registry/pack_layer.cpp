#include "registry/pack_layer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/common/sha256.hpp"

namespace mycompose::image::registry {
namespace {

namespace stdfs = std::filesystem;
using Sink = std::function<void(const void*, std::size_t)>;

la_ssize_t write_cb(struct archive*, void* ctx, const void* buf, size_t len) {
  (*static_cast<Sink*>(ctx))(buf, len);
  return static_cast<la_ssize_t>(len);
}

std::vector<stdfs::path> sorted_entries(const stdfs::path& dir) {
  std::vector<stdfs::path> out;
  for (auto it = stdfs::recursive_directory_iterator(dir); it != stdfs::recursive_directory_iterator(); ++it)
    out.push_back(it->path().lexically_relative(dir));  // relative() would follow symlinks
  std::sort(out.begin(), out.end());
  return out;
}

void write_tar(const stdfs::path& dir, bool gzip, Sink sink, const std::string& label) {
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  if (gzip) {
    archive_write_add_filter_gzip(a.get());
    archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr);  // reproducible
  }
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open2(a.get(), &sink, nullptr, write_cb, nullptr, nullptr) != ARCHIVE_OK)
    throw Error(label + ": " + archive_error_string(a.get()));
  std::unique_ptr<archive, decltype(&archive_read_free)> disk(archive_read_disk_new(), archive_read_free);
  archive_read_disk_set_standard_lookup(disk.get());
  auto check = [&](int rc) {
    if (rc < ARCHIVE_WARN) throw Error(label + ": " + archive_error_string(a.get()));
  };
  auto add = [&](archive_entry* e, const stdfs::path& src) {
    check(archive_write_header(a.get(), e));
    if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
      // Image content: what lstat saw as a file may be a FIFO by now (a RUN step's leftover
      // process); the header holds the size, so a file that changed is cut or zero-padded.
      auto fd = fs::open_untrusted(AT_FDCWD, src, label + ": " + src.string(), {.in_root = false, .follow_last = false});
      std::vector<char> buf(1 << 16);
      for (la_int64_t left = archive_entry_size(e); left > 0;) {
        ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SystemError("read " + src.string(), errno);
        if (n == 0) break;
        auto w = archive_write_data(a.get(), buf.data(), static_cast<std::size_t>(n));
        if (w < 0) check(ARCHIVE_FATAL);
        left -= n;
      }
    }
  };
  for (const auto& rel : sorted_entries(dir)) {
    auto src = dir / rel;
    struct stat st {};
    check_syscall(::lstat(src.c_str(), &st), "lstat " + src.string());
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
    // overlay whiteout (char device 0:0) → .wh.<name>
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
      auto wh = rel.parent_path() / (".wh." + rel.filename().string());
      archive_entry_set_pathname(e.get(), wh.c_str());
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), 0644);
      archive_entry_set_size(e.get(), 0);
      add(e.get(), src);
      continue;
    }
    archive_entry_copy_sourcepath(e.get(), src.c_str());
    archive_entry_copy_pathname(e.get(), rel.c_str());
    if (archive_read_disk_entry_from_file(disk.get(), e.get(), -1, &st) != ARCHIVE_OK)
      throw Error(label + ": " + src.string() + ": " + archive_error_string(disk.get()));
    archive_entry_set_pathname(e.get(), rel.c_str());
    // Only the overlay xattrs carry meaning here, and they are not for the tar.
    archive_entry_xattr_clear(e.get());
    add(e.get(), src);
    char v[2] = {};
    if (S_ISDIR(st.st_mode) && ::lgetxattr(src.c_str(), "trusted.overlay.opaque", v, 1) == 1 && v[0] == 'y') {
      std::unique_ptr<archive_entry, decltype(&archive_entry_free)> o(archive_entry_new(), archive_entry_free);
      archive_entry_set_pathname(o.get(), (rel / ".wh..wh..opq").c_str());
      archive_entry_set_filetype(o.get(), AE_IFREG);
      archive_entry_set_perm(o.get(), 0644);
      archive_entry_set_size(o.get(), 0);
      add(o.get(), src);
    }
  }
  check(archive_write_close(a.get()));
}

}  // namespace

void write_layer_tar(const std::filesystem::path& dir, const std::function<void(const void*, std::size_t)>& sink,
                     const std::string& label) {
  write_tar(dir, false, sink, label);
}

PackedLayer pack_layer(ImageStore& store, const std::filesystem::path& dir, const std::string& label) {
  Sha256 plain;
  write_tar(dir, false, [&](const void* p, std::size_t n) { plain.update(p, n); }, label);
  auto writer = store.write_blob(label);
  write_tar(dir, true, [&](const void* p, std::size_t n) { writer.write(p, n); }, label);
  PackedLayer out;
  out.diff_id = "sha256:" + plain.hex();
  out.blob = writer.commit();
  return out;
}

}  // namespace mycompose::image::registry
