// GET /networks, GET /networks/{name}, DELETE /networks/{name}, POST /networks/prune:
// `mycompose network ls|inspect|rm|prune`. Removal goes through the engine so its embedded
// DNS stops serving the network's gateway.
#include <algorithm>

#include "mycompose/net/network_manager.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "project_services.hpp"

namespace mycompose::scheduler {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// Network changes take one lock of their own (no project's): two removals never race.
constexpr const char* kNetworksLock = "\n networks";

std::string container_name(const ContainerStore& store, const std::string& id) {
  auto rec = store.find(id);
  return rec ? rec->name : id.substr(0, 12);
}

// Docker's `network inspect` object.
ordered_json network_inspect_json(const net::NetworkRecord& n, const ContainerStore& store) {
  ordered_json config = ordered_json::array();
  ordered_json c = {{"Subnet", n.subnet}};
  if (!n.ip_range.empty() && n.ip_range != n.subnet) c["IPRange"] = n.ip_range;
  if (!n.gateway.empty()) c["Gateway"] = n.gateway;
  if (!n.aux_addresses.empty()) c["AuxiliaryAddresses"] = n.aux_addresses;
  config.push_back(c);
  ordered_json containers = ordered_json::object();
  for (const auto& [id, ep] : n.endpoints)
    containers[id] = {{"Name", container_name(store, id)},
                      {"EndpointID", ep.host_veth},
                      {"MacAddress", ep.mac},
                      {"IPv4Address", ep.ip + "/" + std::to_string(ep.prefix)},
                      {"IPv6Address", ""}};
  ordered_json options = ordered_json::object();
  for (const auto& [k, v] : n.driver_opts) options[k] = v;
  options["com.docker.network.bridge.name"] = n.bridge;
  return {{"Name", n.name},
          {"Id", n.id},
          {"Created", n.created},
          {"Scope", "local"},
          {"Driver", n.driver},
          {"EnableIPv6", false},
          {"IPAM", {{"Driver", "default"}, {"Options", nullptr}, {"Config", config}}},
          {"Internal", n.internal},
          {"Attachable", n.attachable},
          {"Ingress", false},
          {"ConfigFrom", {{"Network", ""}}},
          {"ConfigOnly", false},
          {"Containers", containers},
          {"Options", options},
          {"Labels", n.labels}};
}

// Removes a network with no endpoints, and has the DNS stop serving it. Throws Error naming
// the attached containers otherwise.
void remove_network(ProjectServices& services, const std::filesystem::path& root, const std::string& name) {
  net::NetworkManager nm(root);
  auto rec = nm.get(name);
  if (!rec) throw Error("network " + name + " not found");
  if (!rec->endpoints.empty()) {
    ContainerStore store(root);
    std::string names;
    for (const auto& [id, ep] : rec->endpoints) names += (names.empty() ? "" : ", ") + container_name(store, id);
    throw Error("error while removing network: network " + rec->name + " id " + rec->id +
                " has active endpoints (" + names + ")");
  }
  nm.remove(rec->id);
  services.forget_network(rec->id);
}

}  // namespace

void ProjectServices::forget_network(const std::string& network_id) {
  queue.post([this, network_id] {
    if (dns_server_ && listening_.erase(network_id)) dns_server_->unlisten(network_id);
  });
}

void install_network_routes(daemon::Engine& engine, ProjectServices& services) {
  const std::filesystem::path root = engine.root();
  // Listing takes the networks' file lock, which an operation may hold: on the query threads.
  // As text: the reply's json would sort the keys, and docker's order is what people read.
  engine.router().add("GET /networks", [&engine, root](daemon::Request&, const std::shared_ptr<daemon::Responder>& out) {
    answer_text_from_worker(engine, out, [root] {
      ContainerStore store(root);
      ordered_json list = ordered_json::array();
      for (const auto& n : net::NetworkManager(root).list()) list.push_back(network_inspect_json(n, store));
      return list.dump();
    });
  });
  engine.router().add("GET /networks/{name}", [root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    auto rec = net::NetworkManager(root).get(req.param("name"));
    if (!rec) throw daemon::HttpError(404, "network " + req.param("name") + " not found");
    out->reply_text(200, network_inspect_json(*rec, ContainerStore(root)).dump(), "application/json");
  });
  engine.router().add("DELETE /networks/{name}", [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const std::string name = req.param("name");
    services.run(kNetworksLock, out, [&services, root, name](const ConvergeHooks&, json& result) {
      remove_network(services, root, name);
      result["removed"] = name;
    });
  });
  // Every network no container is attached to (docker network prune); labels filter as
  // "label=K[=V]" / "label!=K[=V]".
  engine.router().add("POST /networks/prune", [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const auto filters = body.value("filters", std::vector<std::string>{});
    services.run(kNetworksLock, out, [&services, root, filters](const ConvergeHooks&, json& result) {
      result["deleted"] = prune_networks(services, root, filters);
    });
  });
}

std::vector<std::string> prune_networks(ProjectServices& services, const std::filesystem::path& root,
                                        const std::vector<std::string>& filters) {
  auto label_matches = [](const std::map<std::string, std::string>& labels, const std::string& f) {
    auto eq = f.find('=');
    auto it = labels.find(f.substr(0, eq));
    return it != labels.end() && (eq == std::string::npos || it->second == f.substr(eq + 1));
  };
  std::vector<std::string> deleted;
  for (const auto& n : net::NetworkManager(root).list()) {
    if (!n.endpoints.empty()) continue;
    bool keep = false;
    for (const auto& f : filters) {
      if (f.rfind("label!=", 0) == 0) keep |= label_matches(n.labels, f.substr(7));
      else if (f.rfind("label=", 0) == 0) keep |= !label_matches(n.labels, f.substr(6));
      else throw Error("invalid filter '" + f.substr(0, f.find('=')) + "'");
    }
    if (keep) continue;
    remove_network(services, root, n.name);
    deleted.push_back(n.name);
  }
  return deleted;
}

}  // namespace mycompose::scheduler
