#pragma once
// A layer that exists only unpacked (layers/<chain>/diff) turned back into a tar+gzip blob
// for push, with overlay whiteouts written as .wh. entries again.
#include <cstdint>
#include <filesystem>
#include <string>

#include "mycompose/image/store.hpp"

namespace mycompose::image::registry {

struct PackedLayer {
  std::string blob;     // digest of the stored tar+gzip blob
  std::string diff_id;  // sha256 of the uncompressed tar
};

// Two passes over `dir` in sorted order (same bytes both times): one hashes the plain tar,
// one writes it gzip-compressed into the store through a BlobWriter.
PackedLayer pack_layer(ImageStore& store, const std::filesystem::path& dir, const std::string& label);

}  // namespace mycompose::image::registry
