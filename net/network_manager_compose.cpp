// Compose model → NetworkSpec / EndpointSpec, so the engine maps a project in one call.
#include <algorithm>

#include "mycompose/common/error.hpp"
#include "mycompose/net/network.hpp"

namespace mycompose::net {

using nlohmann::json;

namespace {
std::map<std::string, std::string> string_map(const json& j) {
  std::map<std::string, std::string> m;
  if (!j.is_object()) return m;
  for (const auto& [k, v] : j.items()) m[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return m;
}
std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
bool flag(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}
}  // namespace

NetworkSpec network_spec_from_compose(const std::string& project, const std::string& key, const json& entry) {
  const json e = entry.is_object() ? entry : json::object();
  NetworkSpec spec;
  spec.name = str(e, "name");
  if (spec.name.empty()) spec.name = project + "_" + key;
  spec.driver = str(e, "driver");
  if (spec.driver.empty()) spec.driver = "bridge";
  spec.internal = flag(e, "internal");
  spec.external = flag(e, "external");
  spec.attachable = flag(e, "attachable");
  spec.driver_opts = string_map(e.value("driver_opts", json::object()));
  spec.labels = string_map(e.value("labels", json::object()));
  if (!spec.external) {
    spec.labels["com.docker.compose.network"] = key;
    spec.labels["com.docker.compose.project"] = project;
  }
  if (auto ipam = e.find("ipam"); ipam != e.end() && ipam->is_object()) {
    const std::string driver = str(*ipam, "driver");
    if (!driver.empty() && driver != "default")
      throw Error("network " + spec.name + ": ipam driver \"" + driver + "\" is not supported (only default)");
    for (const auto& c : ipam->value("config", json::array())) {
      IpamConfig cfg;
      cfg.subnet = str(c, "subnet");
      cfg.ip_range = str(c, "ip_range");
      cfg.gateway = str(c, "gateway");
      cfg.aux_addresses = string_map(c.value("aux_addresses", json::object()));
      spec.ipam.push_back(std::move(cfg));
    }
  }
  return spec;
}

std::vector<ServiceAttachment> service_attachments(const json& service) {
  struct Item {
    std::string key;
    long priority;
    json cfg;
  };
  std::vector<Item> items;
  auto nets = service.find("networks");
  if (nets == service.end() || !nets->is_object() || nets->empty()) {
    items.push_back({"default", 0, json::object()});
  } else {
    for (const auto& [k, v] : nets->items())
      items.push_back({k, v.is_object() ? v.value("priority", 0L) : 0L, v.is_object() ? v : json::object()});
  }
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.priority != b.priority ? a.priority > b.priority : a.key < b.key;
  });
  std::vector<ServiceAttachment> out;
  const std::string service_mac = str(service, "mac_address");
  for (std::size_t i = 0; i < items.size(); ++i) {
    ServiceAttachment a;
    a.network_key = items[i].key;
    const json& c = items[i].cfg;
    for (const auto& alias : c.value("aliases", json::array()))
      if (alias.is_string()) a.endpoint.aliases.push_back(alias.get<std::string>());
    a.endpoint.ipv4_address = str(c, "ipv4_address");
    a.endpoint.mac_address = str(c, "mac_address");
    if (a.endpoint.mac_address.empty() && i == 0) a.endpoint.mac_address = service_mac;
    a.endpoint.interface_index = int(i);
    a.endpoint.interface_name = str(c, "interface_name");
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace mycompose::net
