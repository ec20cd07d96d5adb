#pragma once
// Runs inside the init, in the new mount namespace: mounts of config.json (every destination
// resolved inside the rootfs), /dev, pivot_root, then masked and read-only paths.
#include <string>

#include "mycompose/common/unique_fd.hpp"
#include "spec.hpp"

namespace mycompose::runtime {

// openat2(RESOLVE_IN_ROOT): a symlink (even "../../..") cannot lead outside root_fd.
UniqueFd open_in_root(int root_fd, const std::string& path, int flags);
// Resolves path inside root, creating missing folders (and the last component as a folder
// or an empty file). Returns an O_PATH fd of it.
UniqueFd make_in_root(int root_fd, const std::string& path, bool directory);

// Everything before pivot_root plus pivot_root itself. `unshare_cgroupns` is done once the
// cgroup mounts have been made from the host's view.
void prepare_rootfs(const Spec& spec, bool unshare_cgroupns);
// After pivot_root: sysctl, read-only and masked paths, root.readonly.
void finalize_rootfs(const Spec& spec);

}  // namespace mycompose::runtime
