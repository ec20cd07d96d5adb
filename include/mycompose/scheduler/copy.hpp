#pragma once
// `cp` between a container and the host, as `docker cp` does it (docker's rules for files,
// folders, "/." and a trailing "/"), or as a tar stream.
//
// Every path inside the container is resolved inside its root (openat2 RESOLVE_IN_ROOT,
// runtime/in_root.hpp), and below the folder found that way only single names are opened
// (O_NOFOLLOW): a symlink the container swaps in while the copy runs can never make it read
// or write outside the container (CVE-2018-15664). Paths under a volume or a bind mount are
// resolved the same way in the mount's host folder.
#include <filesystem>
#include <string>

#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {

struct CopyOptions {
  bool archive = false;      // -a: keep uid/gid (else files belong to the caller: root in a container)
  bool follow_link = false;  // -L: a symlink as the source is followed
};

// The container's filesystem as the host sees it: containers/<id>/rootfs and its mounts.
struct ContainerFiles {
  std::filesystem::path container_dir;  // <root>/containers/<id>
  std::string name;                     // for messages
  static ContainerFiles of(const std::filesystem::path& root, const ContainerRecord& rec);
};

// Container → host path. src is absolute in the container; dest a host path.
void copy_from_container(const ContainerFiles& c, const std::string& src, const std::filesystem::path& dest, const CopyOptions& o);
// Container → tar stream (cp SERVICE:SRC -).
void copy_from_container_tar(const ContainerFiles& c, const std::string& src, int out_fd, const CopyOptions& o);
// Host path → container.
void copy_to_container(const ContainerFiles& c, const std::filesystem::path& src, const std::string& dest, const CopyOptions& o);
// Tar stream → an existing folder in the container (cp - SERVICE:DEST).
void copy_tar_to_container(const ContainerFiles& c, int in_fd, const std::string& dest, const CopyOptions& o);

}  // namespace mycompose::scheduler
