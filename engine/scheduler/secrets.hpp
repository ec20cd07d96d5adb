#pragma once
// A service's secrets and configs, as docker compose gives them to a container outside a
// swarm: each one a file made in the container's own folder (never in an image layer or the
// container's upper layer) from its top-level definition's `file`, `environment` or
// `content`, owned and moded as the service asks (Docker's defaults: root, 0444), and
// bind-mounted read-only at its target: /run/secrets/<name> for secrets, /<name> for configs.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/runtime/spec_generator.hpp"

namespace mycompose::scheduler {

struct FileSources {
  nlohmann::ordered_json secrets = nlohmann::ordered_json::object();  // the model's top-level `secrets`
  nlohmann::ordered_json configs = nlohmann::ordered_json::object();  // the model's top-level `configs`
  // Values for `environment:` sources (the project's environment, as the CLI loaded it).
  std::map<std::string, std::string> environment;
};

// Writes the service's secrets and configs under container_dir/secrets and container_dir/configs
// (folders mode 0700) and returns their read-only bind mounts. Throws Error naming the service,
// the secret or config and, for a file source, the path.
std::vector<runtime::MountSetting> materialize_file_mounts(const std::string& service_name, const nlohmann::ordered_json& service,
                                                           const FileSources& sources, const std::filesystem::path& container_dir);

}  // namespace mycompose::scheduler
