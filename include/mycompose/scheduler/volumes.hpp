#pragma once
// Named and anonymous volumes of a root, as `docker volume` shows them:
//
//   volumes/<name>/_data         the data (ContainerStore::volume_path makes it)
//   volumes/<name>/volume.json   {"labels", "created"}: written when a volume is created
//                                 for a project, so ls/inspect/prune can show its labels
//
// A volume without volume.json (made before labels were recorded, or an anonymous one a
// container made) has no labels; a 64-hex name is an anonymous volume, labelled
// com.docker.volume.anonymous as Docker does.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::scheduler {

struct VolumeInfo {
  std::string name;
  std::string mountpoint;  // <root>/volumes/<name>/_data
  std::map<std::string, std::string> labels;
  std::string created;  // RFC 3339, seconds
  bool anonymous = false;

  // `docker volume inspect`'s object.
  nlohmann::ordered_json inspect_json() const;
};

// Records labels and the creation time of a volume (creating its folder); a volume that
// has its record already keeps it.
void record_volume(const std::filesystem::path& root, const std::string& name,
                   const std::map<std::string, std::string>& labels);

std::vector<VolumeInfo> list_volumes(const std::filesystem::path& root);  // sorted by name
std::optional<VolumeInfo> find_volume(const std::filesystem::path& root, const std::string& name);

// As docker compose: the label a project's volume carries with the hash of its definition
// (driver, driver_opts, labels), and that hash; key order does not change it.
inline constexpr const char* kVolumeConfigHashLabel = "com.docker.compose.config-hash";
std::string volume_config_hash(const nlohmann::ordered_json& definition);

// A project volume that exists but was made from another definition than `volumes` (the
// model's top-level volumes) gives it now: its name. External volumes and volumes without a
// recorded hash are never diverged.
struct DivergedVolume {
  std::string key, name;
};
std::vector<DivergedVolume> diverged_volumes(const std::filesystem::path& root, const std::string& project,
                                             const nlohmann::ordered_json& volumes);

// Volume name → names of the containers (any state) that mount it.
std::map<std::string, std::vector<std::string>> volume_users(const std::filesystem::path& root);

// Bytes in the files under `dir` (what removing it reclaims).
std::int64_t disk_usage(const std::filesystem::path& dir);

}  // namespace mycompose::scheduler
