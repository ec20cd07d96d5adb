// depends_on: a list of service names or a mapping of long forms, to the long form
// {condition: service_started, required: true} per dependency, sorted by service.
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {
json started() { return json{{"condition", "service_started"}, {"required", true}}; }
}  // namespace

json depends_on(const Node& node, const Type& type, Walk& w, const std::string& path) {
  std::map<std::string, json> deps;
  if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string& name = scalar_text(node.items[i], path + "[" + std::to_string(i) + "]");
      if (!deps.emplace(name, started()).second)
        throw ComposeError(node.items[i].mark, path + ": \"" + name + "\" is listed twice");
    }
  } else if (node.is_map()) {
    for (const auto& e : node.entries) {
      json d = convert_object(e.value, *type.elem, w, path + "." + e.key);
      json out = json::object();
      out["condition"] = d["condition"];
      if (d.contains("restart")) out["restart"] = d["restart"];
      out["required"] = d.contains("required") ? d["required"] : json(true);
      for (auto it = d.begin(); it != d.end(); ++it)
        if (!out.contains(it.key())) out[it.key()] = it.value();  // x-* extensions
      deps[e.key] = std::move(out);
    }
  } else {
    type_error(node, path, "a list of service names or a mapping");
  }
  json out = json::object();
  for (auto& [k, v] : deps) out[k] = std::move(v);
  return out;
}

}  // namespace mycompose::compose::schema
