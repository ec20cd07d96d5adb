// ulimits: `nofile: 65535` (soft = hard) or `nofile: {soft: …, hard: …}`, sorted by name.
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json ulimits(const Node& node, const Type&, Walk&, const std::string& path) {
  if (!node.is_map()) type_error(node, path, "a mapping");
  std::map<std::string, json> limits;
  for (const auto& e : node.entries) {
    std::string p = path + "." + e.key;
    if (e.key.empty() || e.key.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
      throw ComposeError(e.key_mark, path + ": \"" + e.key + "\" is not a ulimit name (lower-case letters)");
    if (e.value.is_scalar()) {
      limits[e.key] = to_integer(e.value, p);
      continue;
    }
    if (!e.value.is_map()) type_error(e.value, p, "an integer or a mapping with soft and hard");
    json l = json::object();
    for (const char* k : {"soft", "hard"}) {
      const Node* v = e.value.find(k);
      if (!v) throw ComposeError(e.value.mark, p + ": missing required key \"" + std::string(k) + "\"");
      l[k] = to_integer(*v, p + "." + k);
    }
    for (const auto& f : e.value.entries)
      if (f.key != "soft" && f.key != "hard") throw ComposeError(f.key_mark, p + ": unknown key \"" + f.key + "\"");
    if (l["soft"].get<std::int64_t>() > l["hard"].get<std::int64_t>())
      throw ComposeError(e.value.mark, p + ": soft limit is greater than the hard limit");
    limits[e.key] = std::move(l);
  }
  json out = json::object();
  for (auto& [k, v] : limits) out[k] = std::move(v);
  return out;
}

}  // namespace mycompose::compose::schema
