#pragma once
// Files whose type and content someone else chose: in an image's rootfs or a layer, in an
// unpacked tarball, in a build context, in a container. One such file must never stall us (a
// FIFO blocks open() until a writer comes; a device's open() runs its driver), never lead us
// out of its root (a symlink to /etc/shadow), and never be read without a bound.
//
// So every such open goes through here: the path is opened O_PATH first (resolved inside the
// root with openat2 RESOLVE_IN_ROOT, as the container would see it, or as the host sees it),
// fstat'ed, refused unless it is a regular file ("<what> is a FIFO, not a regular file"), and
// only then opened for reading through its /proc/self/fd link, with O_NONBLOCK|O_NOCTTY: the
// inode checked is the inode read, and nothing else is ever opened.
#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::fs {

struct Untrusted {
  // true: `path` is resolved inside the folder dirfd as if it were "/" (absolute symlinks and
  // ".." included); false: relative to dirfd (or AT_FDCWD) as the host sees it.
  bool in_root = true;
  // false: a symlink as the last component is refused (O_NOFOLLOW); earlier ones are followed
  // (inside the root when in_root).
  bool follow_last = true;
};

// "a FIFO", "a folder", "a symbolic link", "a character device", … for messages.
std::string file_type_name(mode_t mode);

// Opens a regular file for reading as described above. `what` names it in every error, e.g.
// "/etc/passwd in image web:1" → "/etc/passwd in image web:1 is a FIFO, not a regular file",
// "… : No such file or directory". st (if given) receives its fstat.
UniqueFd open_untrusted(int dirfd, const std::string& path, const std::string& what, Untrusted how = {},
                        struct stat* st = nullptr);
// The same, but a missing file (ENOENT, ENOTDIR) gives an invalid fd instead of an error.
UniqueFd open_untrusted_if_exists(int dirfd, const std::string& path, const std::string& what, Untrusted how = {},
                                  struct stat* st = nullptr);

// An O_PATH (or any) fd of a file we already looked at, opened again for reading; refused
// unless it is a regular file. For walkers that hold O_PATH fds.
UniqueFd reopen_untrusted(int fd, const std::string& what, struct stat* st = nullptr);

// Whole content, refused past max_bytes ("<what> is larger than N bytes").
std::string read_untrusted(int dirfd, const std::string& path, const std::string& what, std::size_t max_bytes,
                           Untrusted how = {});
std::optional<std::string> read_untrusted_if_exists(int dirfd, const std::string& path, const std::string& what,
                                                    std::size_t max_bytes, Untrusted how = {});

// For what cannot be checked to be a regular file (a pipe on stdin, a FIFO the user names):
// read() that waits at most `idle` for data and then throws "<what>: no data for N s".
// The fd may be blocking or not. Returns 0 at end of file.
std::size_t read_bounded(int fd, void* buf, std::size_t n, std::chrono::milliseconds idle, const std::string& what);

// How long read_bounded waits by default: long enough for a slow producer (a download piped
// in), short enough that a stalled one does not hold a command forever.
inline constexpr std::chrono::milliseconds kIdleReadTimeout{std::chrono::minutes(5)};

}  // namespace mycompose::fs
