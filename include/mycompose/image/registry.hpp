#pragma once
// Registry client (distribution spec v2): pull into and push from the ImageStore, login.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "mycompose/image/reference.hpp"
#include "mycompose/image/registry_auth.hpp"
#include "mycompose/image/registry_manifest.hpp"
#include "mycompose/image/store.hpp"

namespace mycompose::image::registry {

// One line of `docker pull`-style progress: "<id>: <status>" with a byte count while moving.
struct ProgressEvent {
  std::string id;       // short layer id (12 hex) or "" for whole-image lines
  std::string status;   // "Pulling fs layer", "Downloading", "Verifying Checksum", "Download complete",
                        // "Extracting", "Pull complete", "Already exists", "Waiting", "Preparing",
                        // "Pushing", "Pushed", "Layer already exists", or a whole-image line
  std::uint64_t current = 0;
  std::uint64_t total = 0;  // 0 = unknown / not a byte-moving status
};
// Called from several threads (serialized by the client: never concurrently).
using ProgressFn = std::function<void(const ProgressEvent&)>;

struct PullOptions {
  std::optional<Platform> platform;  // default: default_platform()
  int parallel = 3;                  // concurrent layer downloads
  ProgressFn progress;               // may be empty
};

struct PullResult {
  std::string image_id;         // "sha256:…"
  std::string manifest_digest;  // digest of the (platform) manifest
  bool up_to_date = false;      // nothing new was downloaded and the tag already pointed there
};

// Pulls ref (tag or digest) into store; the image and tag are recorded only after every
// blob is verified and every layer unpacked, so an interrupted pull leaves no image.
// Errors name the ref and, for blobs, the layer.
PullResult pull(ImageStore& store, const Reference& ref, const PullOptions& options = {});

struct PushOptions {
  int parallel = 3;
  std::uint64_t chunk_size = 0;  // 0 = monolithic PUT up to 64 MiB, PATCH chunks of 16 MiB above
  ProgressFn progress;
};

struct PushResult {
  std::string manifest_digest;
  std::size_t manifest_size = 0;
};

// Pushes the local image named by `local` (a ref/id the store resolves) as `target`.
PushResult push(ImageStore& store, const std::string& local, const Reference& target, const PushOptions& options = {});

// Checks the credentials against https://<domain>/v2/ (token or basic); throws an Error naming
// the registry when refused. domain "" or "docker.io" is Docker Hub.
void verify_login(const std::string& domain, const Credentials& credentials);

}  // namespace mycompose::image::registry
