#pragma once
// Manifests and indexes as the distribution spec serves them (Docker schema 2 manifest and
// manifest list, OCI image manifest and index), and platform selection.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::image::registry {

namespace media {
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
}  // namespace media

// The Accept header of a manifest GET: all four kinds.
std::string manifest_accept_header();

struct Platform {
  std::string os = "linux";
  std::string architecture;  // normalized: amd64, arm64, arm, 386, ppc64le, s390x, riscv64…
  std::string variant;       // normalized: "v7" for arm, "v8" for arm64, "" otherwise
  std::string str() const;   // "linux/arm/v7", "linux/amd64"
  bool operator==(const Platform&) const = default;
};

// "x86_64"→amd64, "aarch64"→arm64/v8, "armhf"/"armv7l"→arm/v7, "armel"→arm/v6, "i686"→386…
Platform normalize_platform(std::string_view os, std::string_view arch, std::string_view variant = "");
// "linux/amd64", "linux/arm/v7", "arm64" (os defaults to linux); throws Error on bad text.
Platform parse_platform(std::string_view s);
// The platform of this machine (uname), normalized; $DOCKER_DEFAULT_PLATFORM wins when set.
Platform default_platform();

struct Descriptor {
  std::string media_type;
  std::string digest;
  std::int64_t size = 0;
  std::vector<std::string> urls;
  std::optional<Platform> platform;  // index entries only (normalized)
  nlohmann::json raw;                // the descriptor as served (annotations etc.)
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

bool is_index_media_type(std::string_view mt);
bool is_manifest_media_type(std::string_view mt);

// The media type of a served document: its "mediaType" field, else the Content-Type header,
// else (OCI documents may omit both) guessed from "manifests" vs "layers".
std::string detect_media_type(const nlohmann::json& doc, std::string_view content_type);

// Throw Error("<what>: …") for documents that are not what they claim.
Manifest parse_manifest(const nlohmann::json& doc, std::string_view media_type, std::string_view what);
Index parse_index(const nlohmann::json& doc, std::string_view media_type, std::string_view what);

// The best entry of an index for `want` (exact variant first, then entries without
// variant); nullopt when none matches. Attestation manifests (platform unknown/unknown)
// never match.
std::optional<Descriptor> select_platform(const Index& index, const Platform& want);

}  // namespace mycompose::image::registry
