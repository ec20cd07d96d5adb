// environment (and build args): `[KEY=VALUE]` or `{KEY: VALUE}` to a mapping sorted by key
// with string values. A bare `KEY` (or `KEY:` with no value) takes the value of KEY from
// the environment compose runs in, or stays null when it is unset.
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {
json from_environment(const std::string& key, const Walk& w) {
  const auto& env = w.environment();
  auto it = env.find(key);
  return it == env.end() ? json(nullptr) : json(it->second);
}
}  // namespace

json environment(const Node& node, const Type&, Walk& w, const std::string& path) {
  std::map<std::string, json> vars;
  if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string& item = scalar_text(node.items[i], path + "[" + std::to_string(i) + "]");
      auto eq = item.find('=');
      std::string key = item.substr(0, eq);
      if (key.empty()) throw ComposeError(node.items[i].mark, path + ": \"" + item + "\" has no variable name");
      vars[key] = eq == std::string::npos ? from_environment(key, w) : json(item.substr(eq + 1));
    }
  } else if (node.is_map()) {
    for (const auto& e : node.entries) {
      if (e.value.is_null()) vars[e.key] = from_environment(e.key, w);
      else vars[e.key] = scalar_text(e.value, path + "." + e.key);
    }
  } else {
    type_error(node, path, "a mapping or a list of KEY=VALUE strings");
  }
  json out = json::object();
  for (auto& [k, v] : vars) out[k] = std::move(v);
  return out;
}

json build_args(const Node& node, const Type& type, Walk& w, const std::string& path) {
  return environment(node, type, w, path);
}

}  // namespace mycompose::compose::schema
