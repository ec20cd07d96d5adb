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

// mkdir -p with the given mode for created folders; throws SystemError.
void make_dirs(const std::filesystem::path& path, unsigned mode = 0755);

}  // namespace mycompose::fs
