#pragma once
// A layer that exists only unpacked (layers/<chain>/diff) turned back into a tar+gzip blob
// for push, with overlay whiteouts written as .wh. entries again.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "mycompose/image/store.hpp"

namespace mycompose::image::registry {

struct PackedLayer {
  std::string blob;     // digest of the stored tar+gzip blob
  std::string diff_id;  // sha256 of the uncompressed tar
};

// Two passes over `dir` in sorted order (same bytes both times): one hashes the plain tar,
// one writes it gzip-compressed into the store through a BlobWriter.
// The plain tar of an unpacked layer folder streamed to sink, entries in sorted order: the same
// bytes every time for an unchanged folder, so its hash (the diff id) can be taken once and the
// tar written later (save, push) without storing it in between.
void write_layer_tar(const std::filesystem::path& dir, const std::function<void(const void*, std::size_t)>& sink,
                     const std::string& label);

PackedLayer pack_layer(ImageStore& store, const std::filesystem::path& dir, const std::string& label);

}  // namespace mycompose::image::registry
