#pragma once
// Builds tar streams in memory with libarchive, for image tests (unit and integration).
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace mycompose::image::test {

struct TarEntry {
  std::string name;
  unsigned type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO…
  std::string data;          // file content
  std::string link;          // symlink target (AE_IFLNK) or hardlink target (hardlink=true)
  bool hardlink = false;
  unsigned mode = 0644;
  long uid = 0, gid = 0;
  unsigned rdev_major = 0, rdev_minor = 0;
  long mtime = 1700000000;
  std::map<std::string, std::string> xattrs;
};

inline TarEntry entry(std::string name, unsigned type, unsigned mode) {
  TarEntry e;
  e.name = std::move(name);
  e.type = type;
  e.mode = mode;
  return e;
}
inline TarEntry file(std::string name, std::string data, unsigned mode = 0644) {
  auto e = entry(std::move(name), AE_IFREG, mode);
  e.data = std::move(data);
  return e;
}
inline TarEntry dir(std::string name, unsigned mode = 0755) { return entry(std::move(name), AE_IFDIR, mode); }
inline TarEntry symlink_entry(std::string name, std::string target) {
  auto e = entry(std::move(name), AE_IFLNK, 0777);
  e.link = std::move(target);
  return e;
}
inline TarEntry hardlink_entry(std::string name, std::string target) {
  auto e = entry(std::move(name), AE_IFREG, 0644);
  e.link = std::move(target);
  e.hardlink = true;
  return e;
}

// filter: "none", "gzip", "zstd"…
inline std::string make_tar(const std::vector<TarEntry>& entries, const char* filter = "none") {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (std::string(filter) != "none") archive_write_add_filter_by_name(a, filter);
  archive_write_set_bytes_in_last_block(a, 1);
  auto writer = [](struct archive*, void* ctx, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a, &out, nullptr, writer, nullptr) != ARCHIVE_OK)
    throw std::runtime_error(archive_error_string(a));
  for (const auto& t : entries) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.name.c_str());
    archive_entry_set_perm(e, t.mode);
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, t.mtime, 0);
    for (const auto& [k, v] : t.xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    if (t.hardlink) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, t.link.c_str());
      archive_entry_set_size(e, 0);
    } else {
      archive_entry_set_filetype(e, t.type);
      if (t.type == AE_IFLNK) archive_entry_set_symlink(e, t.link.c_str());
      if (t.type == AE_IFCHR || t.type == AE_IFBLK) archive_entry_set_rdev(e, makedev(t.rdev_major, t.rdev_minor));
      archive_entry_set_size(e, t.type == AE_IFREG ? static_cast<la_int64_t>(t.data.size()) : 0);
    }
    if (archive_write_header(a, e) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
    if (!t.hardlink && t.type == AE_IFREG && !t.data.empty()) archive_write_data(a, t.data.data(), t.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// A temporary folder removed with everything in it when the test ends, pass or fail.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mycompose-image-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Entries under a folder (recursive), as relative paths; for "nothing left behind" checks.
inline std::vector<std::string> list_tree(const std::filesystem::path& root) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(root)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    out.push_back(std::filesystem::relative(e.path(), root).string());
  return out;
}

}  // namespace mycompose::image::test
