#pragma once
// The pieces `cp` is made of: a tree read through file descriptors (walk_tree), a tree
// written through file descriptors (DirWriter), and the same two as a tar stream
// (copy_tar.cpp). Entries carry their path relative to where the copy lands.
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <functional>
#include <optional>
#include <string>

#include "mycompose/common/unique_fd.hpp"

struct archive;  // libarchive's, global: declared here so TarWriter's member names that one

namespace mycompose::scheduler::copy {

struct Entry {
  std::string path;  // relative, "a/b"; "" is the folder the copy lands in itself
  mode_t mode = 0;   // type and permission bits, as st_mode
  uid_t uid = 0;
  gid_t gid = 0;
  timespec mtime{};
  dev_t rdev = 0;
  off_t size = 0;  // a regular file's size when it was looked at
  std::string link;                                    // a symlink's target
  bool opaque = false;  // a folder an overlay upper layer marks opaque (hides what is below)
  std::function<ssize_t(char* buf, size_t n)> read;    // a regular file's content
};
using Emit = std::function<void(const Entry&)>;

// The tree at `top` (an O_PATH fd: a symlink, file or folder), named `name` in the entries;
// folders first, then what they hold. Below top only single names are opened, never
// following a symlink.
void walk_tree(UniqueFd top, const std::string& name, const Emit& emit);

// Writes entries below a folder. Intermediate folders are looked up one name at a time with
// O_NOFOLLOW, so a symlink swapped in by someone else fails the copy instead of redirecting it.
class DirWriter {
 public:
  // owner: every entry gets this uid/gid; unset: the entry's own (-a).
  DirWriter(UniqueFd base, std::optional<std::pair<uid_t, gid_t>> owner, std::string where);
  void put(const Entry& e);

 private:
  UniqueFd parent_of(const std::string& path, std::string& name, bool create);
  UniqueFd base_;
  std::optional<std::pair<uid_t, gid_t>> owner_;
  std::string where_;  // "container web-1:/data" for messages
};

// Tar (libarchive, pax) of entries to out_fd, and entries from a tar stream on in_fd.
class TarWriter {
 public:
  explicit TarWriter(int out_fd);
  // To a function instead (commit streams a layer into the image store).
  explicit TarWriter(std::function<void(const void*, size_t)> sink);
  ~TarWriter();
  void put(const Entry& e);
  void finish();

 private:
  struct archive* a_;
  std::function<void(const void*, size_t)> sink_;
};
void read_tar(int in_fd, const Emit& emit);

// "a/./b//c/" → "a/b/c"; throws for ".." or an absolute name (a tar entry may not climb out).
std::string clean_relative(const std::string& path);

}  // namespace mycompose::scheduler::copy
