#pragma once
// Runs inside the init, in the new mount namespace: mounts of config.json (every destination
// resolved inside the rootfs, every mount made detached and attached by fd: mount_fd.hpp),
// /dev, pivot_root, then masked and read-only paths.
#include <functional>
#include <string>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/in_root.hpp"
#include "spec.hpp"

namespace mycompose::runtime {

// Everything before pivot_root plus pivot_root itself. `unshare_cgroupns` is done once the
// cgroup mounts have been made from the host's view. before_pivot runs once every mount is
// made, just before pivot_root (or the chroot without a mount namespace): the create hooks.
void prepare_rootfs(const Spec& spec, bool unshare_cgroupns, const std::function<void()>& before_pivot = {});
// After pivot_root: sysctl, read-only and masked paths, root.readonly.
void finalize_rootfs(const Spec& spec);

}  // namespace mycompose::runtime
