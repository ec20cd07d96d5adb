// extra_hosts: `host:ip`, `host=ip` or {host: ip | [ips]} to the list of "host=ip" lines
// compose prints (`=` keeps IPv6 addresses readable).
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json extra_hosts(const Node& node, const Type&, Walk&, const std::string& path) {
  json out = json::array();
  if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string& item = scalar_text(node.items[i], path + "[" + std::to_string(i) + "]");
      auto sep = item.find('=');
      if (sep == std::string::npos) sep = item.find(':');
      if (sep == std::string::npos || sep == 0 || sep + 1 == item.size())
        throw ComposeError(node.items[i].mark, path + ": \"" + item + "\" is not HOST:IP or HOST=IP");
      out.push_back(item.substr(0, sep) + "=" + item.substr(sep + 1));
    }
  } else if (node.is_map()) {
    std::map<std::string, std::vector<std::string>> hosts;
    for (const auto& e : node.entries) {
      if (e.value.is_sequence()) {
        for (std::size_t i = 0; i < e.value.items.size(); ++i)
          hosts[e.key].push_back(scalar_text(e.value.items[i], path + "." + e.key + "[" + std::to_string(i) + "]"));
      } else {
        hosts[e.key].push_back(scalar_text(e.value, path + "." + e.key));
      }
    }
    for (const auto& [host, ips] : hosts)
      for (const auto& ip : ips) out.push_back(host + "=" + ip);
  } else {
    type_error(node, path, "a list of HOST:IP strings or a mapping");
  }
  return out;
}

}  // namespace mycompose::compose::schema
