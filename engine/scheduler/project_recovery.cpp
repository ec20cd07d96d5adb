// What a new engine and a crashed container get back: DNS for every endpoint, and restarts
// that reconnect a container the way the converge step made it.
#include <spdlog/spdlog.h>

#include "mycompose/common/fs.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "container_hosts.hpp"
#include "link_aliases.hpp"
#include "oneoff.hpp"
#include "project_services.hpp"
#include "project_state.hpp"

namespace mycompose::scheduler {

void ProjectServices::republish(const std::filesystem::path& dir, const std::string& owner, const std::string& ip) {
  const auto published = read_published(dir);
  if (!proxy_ || published.empty()) return;
  proxy_->unpublish_owner(owner);
  for (const auto& p : published) {
    net::PortBinding b;
    b.host_ip = p.host_ip;
    b.host_port = p.host_port;
    b.protocol = p.protocol;
    b.container_ip = ip;
    b.container_port = p.container_port;
    b.owner = owner;
    try {
      proxy_->publish(b);
    } catch (const std::exception& e) {
      spdlog::warn("publishing {}:{} for {} again: {}", b.host_ip, b.host_port, owner, e.what());
    }
  }
}

void ProjectServices::restore_dns() {
  try {
    net::NetworkManager networks(engine.root());
    ContainerStore store(engine.root());
    // The previous engine was killed in the middle of these creates.
    for (const auto& id : store.remove_half_made()) spdlog::info("removed container {}: its create never finished", id);
    // Bridges lost with a reboot come back; endpoints of dead containers go.
    for (const auto& n : networks.reconcile())
      for (const auto& [id, ep] : n.endpoints) {
        auto rec = store.find(id);
        if (!rec) continue;
        serve_endpoint(n, ep, endpoint_dns_names(*rec, ep.aliases), rec->name, saved_link_aliases(store.folder(id)));
        if (!ep.ports.empty()) republish(store.folder(id), rec->name, ep.ip);
      }
    for (const auto& rec : store.list())
      if (store.state(rec.id).status == "running") watch_health(rec.id, true);
  } catch (const std::exception& e) {
    spdlog::warn("restoring networks and DNS: {}", e.what());
  }
}

void ProjectServices::restart_container(runtime::Runtime& rt, const std::string& id) {
  ContainerStore store(engine.root());
  auto rec = store.find(id);
  if (!rec || rec->id != id) {
    daemon::Supervisor::recreate_from_bundle(rt, id);  // not one of ours (a bare `runtime` container)
    return;
  }
  net::NetworkManager networks(engine.root());
  for (const auto& n : networks.list()) {
    auto ep = n.endpoints.find(id);
    if (ep == n.endpoints.end()) continue;
    if (dns_server_) dns_server_->remove_endpoint(n.id, ep->second.ip);
    networks.disconnect(n.name, id);
  }
  store.renew(id);
  const auto saved = nlohmann::ordered_json::parse(fs::read_file(store.folder(id) / "service.json"));
  const auto& definition = saved.at("definition");
  if (definition.value("network_mode", "").empty()) {
    const pid_t pid = store.state(id).pid;
    bool first = true;
    for (const auto& a : net::service_attachments(nlohmann::json::parse(definition.dump()))) {
      const std::string name = saved.at("networks").value(a.network_key, "");
      if (name.empty()) continue;
      auto ep = networks.connect(name, id, net::NetnsRef::of_pid(pid), a.endpoint);
      serve_endpoint(*networks.get(name), ep, endpoint_dns_names(*rec, a.endpoint.aliases), rec->name, link_aliases(definition));
      if (first) {
        set_own_address(store.folder(id), rec->name, ep.ip);
        const auto published = read_published(store.folder(id));
        if (!published.empty()) {
          republish(store.folder(id), rec->name, ep.ip);
          networks.forward_ports(name, id, forwarded_ports(published));
        }
      }
      first = false;
    }
  }
  store.start(id);
  watch_health(id, false);
}

}  // namespace mycompose::scheduler
