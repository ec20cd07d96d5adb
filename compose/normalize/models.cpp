// A service's models: a list of model names or {name: {endpoint_var, model_var}}, to a
// mapping sorted by model name.
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json service_models(const Node& node, const Type&, Walk&, const std::string& path) {
  std::map<std::string, json> models;
  if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i)
      models[scalar_text(node.items[i], path + "[" + std::to_string(i) + "]")] = nullptr;
  } else if (node.is_map()) {
    for (const auto& e : node.entries) {
      std::string p = path + "." + e.key;
      if (e.value.is_null()) {
        models[e.key] = nullptr;
        continue;
      }
      if (!e.value.is_map()) type_error(e.value, p, "a mapping");
      json m = json::object();
      for (const auto& f : e.value.entries) {
        if (f.key != "endpoint_var" && f.key != "model_var" && f.key.rfind("x-", 0) != 0)
          throw ComposeError(f.key_mark, p + ": unknown key \"" + f.key + "\"");
        m[f.key] = scalar_text(f.value, p + "." + f.key);
      }
      models[e.key] = std::move(m);
    }
  } else {
    type_error(node, path, "a list of model names or a mapping");
  }
  json out = json::object();
  for (auto& [k, v] : models) out[k] = std::move(v);
  return out;
}

}  // namespace mycompose::compose::schema
