// devices: `SOURCE[:TARGET[:PERMISSIONS]]` or the long form, to {source, target,
// permissions (default rwm)}; gpus: `all` or device requests (count `all` is -1).
#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json devices(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (!node.is_sequence()) type_error(node, path, "a list");
  json out = json::array();
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const Node& item = node.items[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    json d = json::object();
    if (item.is_scalar()) {
      std::vector<std::string> parts;
      for (std::size_t start = 0;;) {
        auto colon = item.value.find(':', start);
        parts.push_back(item.value.substr(start, colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
      }
      if (parts.size() > 3 || parts[0].empty())
        throw ComposeError(item.mark, p + ": invalid device \"" + item.value + "\" (expected SOURCE[:TARGET[:PERMISSIONS]])");
      d["source"] = parts[0];
      d["target"] = parts.size() > 1 && !parts[1].empty() ? parts[1] : parts[0];
      d["permissions"] = parts.size() > 2 ? parts[2] : "rwm";
    } else if (item.is_map()) {
      json l = convert_object(item, *type.elem, w, p);
      d["source"] = l["source"];
      d["target"] = l.contains("target") ? l["target"] : l["source"];
      d["permissions"] = l.contains("permissions") ? l["permissions"] : json("rwm");
    } else {
      type_error(item, p, "a string or a mapping");
    }
    const std::string perms = d["permissions"].get<std::string>();
    if (perms.empty() || perms.find_first_not_of("rwm") != std::string::npos)
      throw ComposeError(item.mark, p + ": device permissions \"" + perms + "\" must be made of r, w and m");
    out.push_back(std::move(d));
  }
  return out;
}

json device_count(const Node& node, const Type&, Walk&, const std::string& path) {
  if (node.is_scalar() && node.value == "all") return -1;
  return to_integer(node, path);
}

json gpus(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (node.is_scalar() && node.value == "all") return json::array({json{{"count", -1}}});
  if (!node.is_sequence()) type_error(node, path, "\"all\" or a list of device requests");
  json out = json::array();
  for (std::size_t i = 0; i < node.items.size(); ++i)
    out.push_back(convert_object(node.items[i], *type.elem, w, path + "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace mycompose::compose::schema
