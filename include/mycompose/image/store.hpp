#pragma once
// The image store under MYCOMPOSE_ROOT:
//   content/sha256/<hex>      blobs: layer tarballs (as received), image configs, manifests
//   layers/<chain-hex>/diff   unpacked layers, used directly as overlay lowerdirs
//   layers/<chain-hex>/layer.json  {chain_id, parent, diff_id, blob, size}
//   images.json               refs → image ids, and per image its layers and repo digests
// Every call is safe against other processes using the same root: images.json is only read
// and rewritten (atomically) under an flock on images.lock; blobs and layers are written to a
// temporary name and renamed into place, so readers never see half of one.
// All errors are mycompose::Error with a message naming the ref, digest or layer.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/image/reference.hpp"

namespace mycompose::image {

// One layer of an image, lowest first in every list.
struct LayerInfo {
  std::string diff_id;     // sha256 of the uncompressed layer tar (config rootfs.diff_ids)
  std::string chain_id;    // OCI chain id; names the folder layers/<hex>
  std::string blob;        // digest of the blob as stored (compressed or not); "" if not kept
  std::string media_type;  // media type of that blob (docker or OCI layer type)
  std::int64_t blob_size = 0;
  std::int64_t size = 0;   // bytes of unpacked file content in the layer
};

// What a registry pull (or load) knows beyond the config; all optional.
struct ManifestInfo {
  std::string digest;      // "sha256:…" of the manifest bytes, "" when none
  std::string media_type;  // the manifest's media type
  std::string bytes;       // the manifest itself; stored as a blob when non-empty
};

// One image as `image ls` / `image inspect` show it.
struct ImageSummary {
  std::string id;                          // "sha256:<hex of config>"
  std::vector<std::string> repo_tags;      // familiar: "busybox:latest"
  std::vector<std::string> repo_digests;   // familiar: "busybox@sha256:…"
  std::string created;                     // config "created" (RFC 3339) or ""
  std::int64_t size = 0;                   // sum of the layers' unpacked sizes
  std::vector<LayerInfo> layers;
};

class ImageStore {
 public:
  // root is created if missing. default_root() is $MYCOMPOSE_ROOT or /var/lib/mycompose.
  explicit ImageStore(std::filesystem::path root);
  static std::filesystem::path default_root();
  const std::filesystem::path& root() const { return root_; }

  // ---- blobs (content/sha256/<hex>) ----
  bool has_blob(std::string_view digest) const;
  // Where the blob lives (whether or not it exists). Throws on a malformed digest.
  std::filesystem::path blob_path(std::string_view digest) const;
  // Whole blob in memory (configs, manifests); throws if missing or larger than max_bytes.
  std::string read_blob(std::string_view digest, std::size_t max_bytes = 64 << 20) const;

  // Streams a blob to a temporary file next to content/; commit() verifies and renames it
  // into place. Nothing is stored unless commit() succeeds; the destructor removes the temp.
  // Safe to use from several threads/processes at once (one writer per download).
  class BlobWriter {
   public:
    BlobWriter(BlobWriter&&) noexcept;
    BlobWriter& operator=(BlobWriter&&) noexcept;
    ~BlobWriter();
    void write(const void* data, std::size_t len);
    std::int64_t size() const;
    // Verifies digest (when expected_digest is non-empty) and size (when >= 0), fsyncs and
    // renames to content/sha256/<hex>. Returns the digest. On mismatch throws
    // "<label>: digest mismatch: expected sha256:…, got sha256:…" and stores nothing.
    std::string commit(std::string_view expected_digest = {}, std::int64_t expected_size = -1);

   private:
    friend class ImageStore;
    struct Impl;
    explicit BlobWriter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  // label names the object in error messages ("layer sha256:ab12…", "config of busybox").
  BlobWriter write_blob(std::string label = "blob");
  // Stores bytes; returns their digest. Verifies expected_digest when given.
  std::string put_blob(std::string_view data, std::string_view expected_digest = {});

  // ---- layers (layers/<chain-hex>/diff) ----
  static std::string chain_id(std::string_view parent_chain_id, std::string_view diff_id);
  bool has_layer(std::string_view chain_id) const;
  std::filesystem::path layer_dir(std::string_view chain_id) const;  // …/layers/<hex>/diff
  std::optional<LayerInfo> layer_info(std::string_view chain_id) const;
  // Unpacks the stored blob (gzip, zstd or plain tar — detected from the content) on top of
  // parent_chain_id ("" for a base layer) and returns the new layer (chain_id, diff_id,
  // blob, media_type, blob_size, size — ready to pass to add_image). The uncompressed
  // stream's sha256 must equal expected_diff_id (skipped when empty). Entries that would
  // leave the layer folder are refused naming the entry. Layers shared between images are
  // unpacked once: if the chain id is already present nothing is done. On any failure
  // nothing is left behind. label names the layer in errors.
  LayerInfo add_layer(std::string_view parent_chain_id, std::string_view blob_digest,
                      std::string_view expected_diff_id, std::string_view media_type = {},
                      std::string_view label = {});

  // Registers an unpacked folder (a builder's overlay upper folder, whiteouts as 0:0 char
  // devices) as the layer on top of parent_chain_id. The diff id is the sha256 of the folder's
  // plain tar, streamed through the hash and not stored (the tar is written again, byte for
  // byte, only when the image is saved or pushed); the folder is renamed into
  // layers/<chain>/diff (dir must be on the store's file system) and blob is "". When that
  // chain exists already, dir is removed and the existing layer returned.
  LayerInfo add_layer_from_dir(std::string_view parent_chain_id, const std::filesystem::path& dir,
                               std::string_view label = {});

  // Cleanup after a failed import, load or pull: deletes the blob / unpacked layer unless an
  // image in images.json references it. Never throws for a missing object.
  void remove_blob_if_unused(std::string_view digest);
  void remove_layer_if_unused(std::string_view chain_id);

  // ---- images ----
  // Stores the config blob and records an image whose layers (lowest first, one per
  // config rootfs.diff_ids entry, each already added with add_layer) are `layers`.
  // Returns the image id "sha256:<hex of config bytes>". Idempotent.
  std::string add_image(std::string_view config_json, const std::vector<LayerInfo>& layers,
                        const ManifestInfo& manifest = {});
  // Points ref (tag) at image_id, moving it away from any previous image.
  void tag(const Reference& ref, std::string_view image_id);
  // Records a repo digest (ref with digest set) for an image, as pull/push do.
  void add_repo_digest(const Reference& ref_with_digest, std::string_view image_id);
  // Finds an image by name[:tag], name@digest, full id "sha256:…", or an id prefix (≥ 1 hex
  // digit, unambiguous). Returns the image id or nullopt.
  std::optional<std::string> resolve(std::string_view ref_or_id) const;
  // As resolve(), but throws "No such image: <ref>" (exit code 1).
  std::string resolve_or_throw(std::string_view ref_or_id) const;
  std::string image_config_bytes(std::string_view image_id) const;
  nlohmann::json image_config(std::string_view image_id) const;
  std::vector<LayerInfo> image_layers(std::string_view image_id) const;
  // Unpacked layer folders, lowest first (overlay lowerdir= wants them highest first).
  std::vector<std::filesystem::path> layer_dirs(std::string_view image_id) const;
  // The manifest recorded with the image, if any (digest, media type, bytes).
  std::optional<ManifestInfo> image_manifest(std::string_view image_id) const;
  ImageSummary summary(std::string_view image_id) const;
  std::vector<ImageSummary> list() const;

  // Untags ref, or removes the image named by id (all its tags; an image with several tags
  // named by id needs force). When an image loses its last tag it is deleted together with
  // the layers and blobs that no other image uses. Returns Docker's lines
  // ("Untagged: busybox:latest", "Deleted: sha256:…").
  std::vector<std::string> remove(std::string_view ref_or_id, bool force = false);
  // Removes dangling (untagged) images, or with all=true every image; returns the lines
  // as remove() does plus the reclaimed bytes.
  struct PruneResult {
    std::vector<std::string> lines;
    std::int64_t reclaimed = 0;
  };
  PruneResult prune(bool all);

 private:
  std::filesystem::path root_;
};

}  // namespace mycompose::image
