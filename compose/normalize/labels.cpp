// labels, sysctls, annotations and the other list-or-dict attributes: `[KEY=VALUE]` or
// `{KEY: VALUE}` to a mapping sorted by key with string values; a bare key is "".
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json list_or_dict(const Node& node, const Type&, Walk&, const std::string& path) {
  std::map<std::string, std::string> kv;
  if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string& item = scalar_text(node.items[i], path + "[" + std::to_string(i) + "]");
      auto eq = item.find('=');
      if (eq == 0) throw ComposeError(node.items[i].mark, path + ": \"" + item + "\" has no key");
      kv[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    }
  } else if (node.is_map()) {
    for (const auto& e : node.entries)
      kv[e.key] = e.value.is_null() ? "" : scalar_text(e.value, path + "." + e.key);
  } else {
    type_error(node, path, "a mapping or a list of KEY=VALUE strings");
  }
  json out = json::object();
  for (auto& [k, v] : kv) out[k] = v;
  return out;
}

json labels(const Node& node, const Type& type, Walk& w, const std::string& path) {
  return list_or_dict(node, type, w, path);
}

}  // namespace mycompose::compose::schema
