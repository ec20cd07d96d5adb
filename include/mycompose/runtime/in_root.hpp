#pragma once
// Paths inside a container's or an image's root, resolved as the kernel would from inside
// it: openat2(RESOLVE_IN_ROOT), so a symlink (even "../../..") cannot lead outside root_fd.
#include <sys/types.h>

#include <string>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

// An invalid fd with errno set when the path does not resolve (no throw, so callers can test
// for ENOENT). "" is the root itself; mode is used with O_CREAT/O_TMPFILE.
UniqueFd open_in_root(int root_fd, const std::string& path, int flags, mode_t mode = 0);
// Resolves path inside root, creating missing folders (and the last component as a folder
// or an empty file). Returns an O_PATH fd of it.
UniqueFd make_in_root(int root_fd, const std::string& path, bool directory);

}  // namespace mycompose::runtime
