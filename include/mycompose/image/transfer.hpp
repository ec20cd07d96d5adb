#pragma once
// Moving images in and out of the store without a registry: `docker import`, `docker load`
// and `docker save`, plus the --change instructions import understands.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/image/store.hpp"

namespace mycompose::image {

struct ImportOptions {
  std::vector<std::string> changes;  // Dockerfile lines: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL
  std::string message;               // commit message (config "comment"); default "Imported from <source>"
  std::string platform;              // "os/arch[/variant]"; default linux/<host arch>
};

// A rootfs tarball (plain, gzip, zstd…; "-" reads stdin) becomes a one-layer image, tagged
// `ref` when it is non-empty. Returns the image id. Nothing is stored on failure.
std::string import_rootfs(ImageStore& store, const std::string& source, const std::string& ref,
                          const ImportOptions& opts);

// Applies --change instructions to a config's "config" object; throws naming the bad line.
void apply_changes(nlohmann::json& container_config, const std::vector<std::string>& changes);

// Loads a `docker save` tarball (manifest.json) or an OCI image layout tarball (index.json);
// "-" reads stdin. Returns Docker's lines: "Loaded image: busybox:latest" or
// "Loaded image ID: sha256:…". Every layer and config digest is verified.
std::vector<std::string> load_archive(ImageStore& store, const std::string& source);

// Writes images (refs or ids) as a tarball `docker load` accepts: manifest.json, repositories,
// configs and uncompressed layers under blobs/sha256/, plus index.json and oci-layout as
// Docker 25+ does. "-" writes stdout.
void save_images(const ImageStore& store, const std::vector<std::string>& refs, const std::string& target);

// "linux/amd64" style normalization of the host (and of uname machine names).
std::string host_architecture();
std::string normalize_architecture(const std::string& arch);

}  // namespace mycompose::image
