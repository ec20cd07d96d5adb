// A service's networks: a list of names or a mapping of per-network settings, to a
// mapping sorted by network name whose values are null or the settings.
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json service_networks(const Node& node, const Type& type, Walk& w, const std::string& path) {
  std::map<std::string, json> nets;
  if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i)
      nets[scalar_text(node.items[i], path + "[" + std::to_string(i) + "]")] = nullptr;
  } else if (node.is_map()) {
    for (const auto& e : node.entries)
      nets[e.key] = e.value.is_null() ? json(nullptr) : convert_object(e.value, *type.elem, w, path + "." + e.key);
  } else {
    type_error(node, path, "a list of network names or a mapping");
  }
  json out = json::object();
  for (auto& [k, v] : nets) out[k] = std::move(v);
  return out;
}

}  // namespace mycompose::compose::schema
