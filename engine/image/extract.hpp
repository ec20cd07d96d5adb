#pragma once
// Layer tar extraction (internal to the image module).
#include <cstdint>
#include <functional>
#include <filesystem>
#include <string>
#include <string_view>

namespace mycompose::image {

struct ExtractResult {
  std::string diff_id;     // "sha256:…" of the uncompressed tar stream
  std::int64_t size = 0;   // bytes of regular file content written
};

// Unpacks the tar at `archive` (gzip, zstd, xz, bzip2 or plain — detected from the content)
// into the existing, empty folder `dest`, converting Docker whiteouts to overlay ones.
// Every path is resolved inside `dest`; entries that would lead outside are refused with
// "<label>: entry \"<name>\": …". Throws mycompose::Error; on failure `dest` is left in an
// unspecified state (the caller extracts into a temporary folder and removes it).
ExtractResult extract_layer(const std::filesystem::path& archive, const std::filesystem::path& dest,
                            std::string_view label);

}  // namespace mycompose::image

namespace mycompose::image {

// Streams the uncompressed content of a (possibly compressed) file to sink; returns its size.
// sink may be empty to only count. Throws "<label>: <libarchive message>".
std::int64_t read_uncompressed(const std::filesystem::path& file, std::string_view label,
                               const std::function<void(const void*, std::size_t)>& sink);

// Media type of a layer blob from its first bytes: docker tar.gzip, OCI tar+zstd or plain tar.
std::string sniff_layer_media_type(const std::filesystem::path& blob);

// Opens `rel` read-only with every component resolved inside the folder `root` (symlinks
// included). Returns -1 with errno set on failure.
int open_in_root(int root, const std::string& rel, int flags);

}  // namespace mycompose::image
