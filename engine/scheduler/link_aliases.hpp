#pragma once
// `links` and `external_links` as the names a container's own DNS queries see: "db:database"
// makes `database` answer as `db` (a service, or for external_links a container name) for
// that container only, as Docker's links do on user-defined networks.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::scheduler {

// (alias, name) pairs of a service definition; a link without an alias adds nothing (the
// name resolves already).
std::vector<std::pair<std::string, std::string>> link_aliases(const nlohmann::ordered_json& definition);

// The same from the definition create saved in containers/<id>/service.json; none when it
// cannot be read.
std::vector<std::pair<std::string, std::string>> saved_link_aliases(const std::filesystem::path& container_dir);

}  // namespace mycompose::scheduler
