#pragma once
// File operations on paths inside a root folder, every path resolved with openat2
// RESOLVE_IN_ROOT: ".." and symlinks (absolute or relative) can never leave the root, so an
// image whose /target is a symlink to / still has COPY write inside its own rootfs.
#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/in_root.hpp"

namespace mycompose::build {

// Opens path (absolute or relative; both are taken inside root_fd): the runtime's resolver.
using runtime::open_in_root;
// The same, throwing SystemError naming `what` and the path.
UniqueFd open_in_root_or_throw(int root_fd, const std::string& path, int flags, const std::string& what, mode_t mode = 0);

// lstat of the last component (symlinks before it are followed inside the root).
std::optional<struct stat> lstat_in_root(int root_fd, const std::string& path);
// stat following a final symlink inside the root.
std::optional<struct stat> stat_in_root(int root_fd, const std::string& path);

// mkdir -p inside the root; created folders get mode, uid, gid. Returns an O_PATH fd of it.
UniqueFd make_dirs_in_root(int root_fd, const std::string& path, mode_t mode = 0755, uid_t uid = 0, gid_t gid = 0);

// "/a/b/c" → {"/a/b", "c"}; "c" → {"", "c"}; trailing slashes ignored.
std::pair<std::string, std::string> split_parent(const std::string& path);

}  // namespace mycompose::build
