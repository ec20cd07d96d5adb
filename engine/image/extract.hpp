#pragma once
// Layer tar extraction (internal to the image module).
#include <cstdint>
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
