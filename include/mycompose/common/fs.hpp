#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace mycompose::fs {

// Whole file into a string; throws SystemError naming the path. Refuses files larger
// than max_bytes with an Error naming the path and the limit.
std::string read_file(const std::filesystem::path& path, std::size_t max_bytes = SIZE_MAX);

// Atomic replace: temp file in the same folder, fsync, rename, fsync the folder.
void write_file_atomic(const std::filesystem::path& path, std::string_view data, unsigned mode = 0644);

// Atomic replace without the two fsyncs: a reader sees the old file or the new one, never a
// torn one, but a power loss may lose the write (an empty file after a crash). Only for files
// that do not outlive the host (runtime state: a reboot ends every container, state_recovery
// rebuilds a lost one; health status, probed again) or whose loss leaves a working container
// (its /etc/hostname, hosts and resolv.conf, which Docker does not sync either; log settings,
// read with Docker's defaults as fallback). The fsyncs were most of a container's create time:
// two flushes of the disk per file, 14 files per container.
void write_file_replace(const std::filesystem::path& path, std::string_view data, unsigned mode = 0644);

// mkdir -p with the given mode for created folders; throws SystemError.
void make_dirs(const std::filesystem::path& path, unsigned mode = 0755);

}  // namespace mycompose::fs
