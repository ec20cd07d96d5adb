#pragma once
// Docker fills a volume that is still empty when a container mounts it with what the image
// has at the mount's target: files, folders, symlinks and device nodes, with their owners,
// modes and times (and the target folder's own owner and mode), unless the mount says nocopy.
#include <filesystem>
#include <string>

namespace mycompose::scheduler {

// rootfs: the container's root (its overlay mount); target: the mount's destination, resolved
// inside rootfs. Returns true when the volume was empty and the image had a folder there.
bool seed_volume(const std::filesystem::path& rootfs, const std::string& target, const std::filesystem::path& volume_data);

}  // namespace mycompose::scheduler
