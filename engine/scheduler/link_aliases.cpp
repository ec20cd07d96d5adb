#include "link_aliases.hpp"

#include "mycompose/common/fs.hpp"
#include "mycompose/common/json_limits.hpp"

namespace mycompose::scheduler {

std::vector<std::pair<std::string, std::string>> link_aliases(const nlohmann::ordered_json& definition) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* key : {"links", "external_links"}) {
    if (!definition.contains(key) || !definition[key].is_array()) continue;
    for (const auto& l : definition[key]) {
      if (!l.is_string()) continue;
      const std::string link = l.get<std::string>();
      const auto colon = link.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == link.size()) continue;
      const std::string name = link.substr(0, colon), alias = link.substr(colon + 1);
      if (alias != name) out.emplace_back(alias, name);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> saved_link_aliases(const std::filesystem::path& container_dir) {
  try {
    const auto saved = parse_json_bounded<nlohmann::ordered_json>(fs::read_file(container_dir / "service.json", 16 << 20));
    return link_aliases(saved.value("definition", nlohmann::ordered_json::object()));
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace mycompose::scheduler
