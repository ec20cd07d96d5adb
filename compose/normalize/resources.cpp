// Top-level networks, volumes, secrets, configs and models. Each gets its real name:
// `name:` if set, the key itself when external, else `<project>_<key>` (as compose does).
#include <map>

#include "attributes.hpp"
#include "names.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json external(const Node& node, const Type&, Walk&, const std::string& path) {
  if (node.is_map()) {  // deprecated `external: {name: x}`; the name is read by the caller
    for (const auto& e : node.entries)
      if (e.key != "name" && e.key.rfind("x-", 0) != 0)
        throw ComposeError(e.key_mark, path + ": unknown key \"" + e.key + "\"");
    if (const Node* n = node.find("name")) scalar_text(*n, path + ".name");
    return true;
  }
  return to_boolean(node, path);
}

json top_level_resources(const Node* section, const Type& type, std::string_view kind, Walk& w) {
  json out = json::object();
  const std::string path(kind);
  if (!section || section->is_null()) return out;
  if (!section->is_map()) type_error(*section, path, "a mapping");
  std::map<std::string, json> sorted;
  for (const auto& e : section->entries) {
    if (e.key.rfind("x-", 0) == 0) continue;
    const std::string p = path + "." + e.key;
    if (!valid_name(e.key))
      throw ComposeError(e.key_mark, path + ": invalid name \"" + e.key + "\" (use letters, digits, '.', '_' and '-')");
    json r = convert_object(e.value, type, w, p);
    bool is_external = r.contains("external") && r["external"].get<bool>();
    if (r.contains("external") && !is_external) r.erase("external");
    if (is_external)
      for (const char* k : {"driver", "driver_opts", "ipam", "file", "content", "environment"})
        if (r.contains(k))
          throw ComposeError(e.value.find(k)->mark, p + ": \"external\" and \"" + std::string(k) +
                                                        "\" cannot be used together (an external resource is not created by compose)");
    if (kind != "models" && !r.contains("name")) {
      const Node* ext = e.value.is_map() ? e.value.find("external") : nullptr;
      const Node* ext_name = ext && ext->is_map() ? ext->find("name") : nullptr;
      if (ext_name) r["name"] = ext_name->value;
      else if (is_external) r["name"] = e.key;
      else if (w.ctx.normalize) r["name"] = w.ctx.project_name + "_" + e.key;
    }
    json ordered = json::object();
    for (const auto& prop : type.props)
      if (r.contains(std::string(prop.key))) ordered[std::string(prop.key)] = r[std::string(prop.key)];
    for (auto it = r.begin(); it != r.end(); ++it)
      if (!ordered.contains(it.key())) ordered[it.key()] = it.value();
    sorted[e.key] = std::move(ordered);
  }
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  return out;
}

}  // namespace mycompose::compose::schema
