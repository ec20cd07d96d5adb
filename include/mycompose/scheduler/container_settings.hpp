#pragma once
// A Compose service (its canonical JSON, as `config --format json` prints it) → the runtime's
// ContainerSettings, from which runtime::generate_spec makes config.json. What lives on the
// host (volume folders, other containers' namespaces) is resolved by the caller and passed in.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/runtime/spec_generator.hpp"

namespace mycompose::scheduler {

struct HostBindings {
  std::string container_id;   // its first 12 characters are the default hostname, as Docker's
  std::string rootfs;         // root.path for config.json (the container's overlay mount)
  std::string rootfs_on_host; // where the image's /etc/passwd is read; "" = rootfs
  std::string cgroups_path;
  // Compose volume key ("data", or "anonymous:<target>" for a volume without a source;
  // "<key>/<subpath>" with volume.subpath) → the host folder mounted at its target.
  std::map<std::string, std::string> volume_paths;
  // The same keys → the volume's own folder: the mount's source root, below which the runtime
  // follows no symlink (a container sharing the volume could have made one).
  std::map<std::string, std::string> volume_roots;
  // Bind sources as written → their real path, checked at create (prepare_bind_sources); the
  // runtime opens them following no symlink. A source missing here is mounted as written.
  std::map<std::string, std::string> bind_sources;
  // volumes_from entry without its mode ("db", "container:cache") → that container's bind and
  // volume mounts, as it got them.
  std::map<std::string, std::vector<runtime::MountSetting>> volumes_from;
  // "service:NAME" / "container:NAME" (as written in network_mode, pid, ipc) → pid of that
  // container's init, whose /proc/<pid>/ns/<type> is joined.
  std::map<std::string, int> namespace_owners;
  // `type: image` volume target → the image's layer folders to mount there, highest first
  // (image_volume.hpp).
  std::map<std::string, std::vector<std::string>> image_layers;
};

// Throws Error naming the service and the key for a value the runtime cannot honour
// (an unknown network_mode, a volume or namespace the caller did not resolve).
runtime::ContainerSettings container_settings(const std::string& service_name, const nlohmann::ordered_json& service,
                                              const HostBindings& host);

}  // namespace mycompose::scheduler
