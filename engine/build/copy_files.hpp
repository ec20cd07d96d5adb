#pragma once
// COPY/ADD file work: from a source root (the build context, or a stage's rootfs) into the
// destination rootfs. Every path on both sides is resolved inside its root (in_root.hpp).
#include <sys/types.h>

#include <optional>
#include <string>

#include "mycompose/build/dockerignore.hpp"

namespace mycompose::build {

struct CopyOptions {
  uid_t uid = 0;                  // COPY makes everything root-owned unless --chown
  gid_t gid = 0;
  std::optional<mode_t> chmod;    // --chmod: for files and folders alike
  const DockerIgnore* ignore = nullptr;  // context sources only
};

// Copies src_path (inside src_root; a folder stands for its content) to dst_path (inside
// dst_root). Missing parent folders of dst_path are created (0755, root).
void copy_path(int src_root, const std::string& src_path, int dst_root, const std::string& dst_path, const CopyOptions& o);

// Writes data as the file dst_path (inside dst_root) with mode.
void write_file_in_root(int dst_root, const std::string& dst_path, const std::string& data, mode_t mode, const CopyOptions& o);

// ADD of a local archive: when the file at src_path is a tar (plain, gzip, bzip2, xz, zstd),
// extracts it into the folder dst_dir and returns true; returns false for any other file.
bool extract_archive_if_any(int src_root, const std::string& src_path, int dst_root, const std::string& dst_dir);

}  // namespace mycompose::build
