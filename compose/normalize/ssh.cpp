// build.ssh: `[default]`, `[id=path]` or `{id: path}` to compose-go's list of SSH keys,
// printed as "id" (no path: the agent's default socket) or "id=path".
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json build_ssh(const Node& node, const Type&, Walk&, const std::string& path) {
  json out = json::array();
  auto add = [&out](const std::string& id, const std::string& p) { out.push_back(p.empty() ? id : id + "=" + p); };
  if (node.is_scalar()) {
    auto eq = node.value.find('=');
    add(node.value.substr(0, eq), eq == std::string::npos ? "" : node.value.substr(eq + 1));
  } else if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string& item = scalar_text(node.items[i], path + "[" + std::to_string(i) + "]");
      auto eq = item.find('=');
      if (eq == 0) throw ComposeError(node.items[i].mark, path + ": \"" + item + "\" has no key id");
      add(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
    }
  } else if (node.is_map()) {
    std::map<std::string, std::string> sorted;
    for (const auto& e : node.entries) sorted[e.key] = e.value.is_null() ? "" : scalar_text(e.value, path + "." + e.key);
    for (const auto& [id, p] : sorted) add(id, p);
  } else {
    type_error(node, path, "a list of ID[=PATH] strings or a mapping");
  }
  return out;
}

}  // namespace mycompose::compose::schema
