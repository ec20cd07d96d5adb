#pragma once
// Stage "discovery": which Compose files make up the project when -f is not given.
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace mycompose::compose {

// docker compose's names, in its order of preference.
inline constexpr std::array<std::string_view, 4> kDefaultFileNames{
    "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"};
inline constexpr std::array<std::string_view, 4> kDefaultOverrideFileNames{
    "compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"};

struct Discovered {
  std::vector<std::string> files;     // [main] or [main, override]; empty when none was found
  std::vector<std::string> warnings;  // "Found multiple config files with supported names: …"
};

// Looks in `dir` (absolute) and then in each parent folder for the first folder holding a
// default file name; takes that file and the first `.override` file beside it.
Discovered find_default_files(const std::string& dir);

// COMPOSE_FILE: entries split on `separator` (COMPOSE_PATH_SEPARATOR, default ':'),
// empty entries dropped, relative entries resolved against `base_dir`.
std::vector<std::string> split_compose_file_variable(const std::string& value, const std::string& separator,
                                                     const std::string& base_dir);

}  // namespace mycompose::compose
