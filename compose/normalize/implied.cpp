// What compose adds to a model when it normalizes it (compose-go's normalize step).
#include <map>

#include "stages.hpp"

namespace mycompose::compose::schema {

namespace {

json sorted_object(json obj) {
  std::map<std::string, json> sorted;
  for (auto& [k, v] : obj.items()) sorted[k] = std::move(v);
  json out = json::object();
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  return out;
}

// depends_on entry `name` unless the service already has one.
void imply_dependency(json& service, const std::string& name, bool restart) {
  if (name.empty()) return;
  json& deps = service["depends_on"];
  if (deps.is_null()) deps = json::object();
  if (deps.contains(name)) return;
  json d = json::object();
  d["condition"] = "service_started";
  if (restart) d["restart"] = true;
  d["required"] = true;
  deps[name] = std::move(d);
  deps = sorted_object(std::move(deps));
}

std::string service_prefixed(const json& s, const char* key) {
  if (!s.contains(key) || !s[key].is_string()) return "";
  std::string v = s[key].get<std::string>();
  return v.rfind("service:", 0) == 0 ? v.substr(8) : "";
}

}  // namespace

void add_implied(json& model, const NormalizeContext& ctx) {
  bool default_used = false;
  for (auto& [name, s] : model["services"].items()) {
    if (!s.contains("networks") && !s.contains("network_mode") && !s.contains("provider")) s["networks"] = json{{"default", nullptr}};
    if (s.contains("networks") && s["networks"].contains("default")) default_used = true;

    // Copies: adding depends_on to `s` moves its other members (an ordered object is a vector).
    if (s.contains("links"))
      for (const json links = s["links"]; const auto& l : links) {
        std::string link = l.get<std::string>();
        imply_dependency(s, link.substr(0, link.find(':')), true);
      }
    for (const char* ns : {"network_mode", "ipc", "pid", "uts", "cgroup"}) imply_dependency(s, service_prefixed(s, ns), true);
    if (s.contains("volumes_from"))
      for (const json from_list = s["volumes_from"]; const auto& v : from_list) {
        std::string from = v.get<std::string>();
        if (from.rfind("container:", 0) == 0) continue;
        imply_dependency(s, from.substr(0, from.find(':')), false);
      }
  }
  if (default_used && !model["networks"].contains("default")) {
    model["networks"]["default"] = json{{"name", ctx.project_name + "_default"}};
    model["networks"] = sorted_object(std::move(model["networks"]));
  }
}

void reorder(json& obj, const Type& type) {
  if (!obj.is_object()) return;
  json out = json::object();
  out.get_ref<json::object_t&>().reserve(obj.size());  // growth would deep-copy the values moved in
  for (const auto& p : type.props) {
    std::string k(p.key);
    if (obj.contains(k)) out[k] = std::move(obj[k]);
  }
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!out.contains(it.key())) out[it.key()] = std::move(it.value());
  obj = std::move(out);
}

}  // namespace mycompose::compose::schema
