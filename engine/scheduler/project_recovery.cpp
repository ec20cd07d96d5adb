// What a new engine and a crashed container get back: DNS for every endpoint, and restarts
// that reconnect a container the way the converge step made it.
#include <spdlog/spdlog.h>

#include "mycompose/common/fs.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "oneoff.hpp"
#include "project_services.hpp"

namespace mycompose::scheduler {

void ProjectServices::republish(const std::filesystem::path& dir, const std::string& owner, const std::string& ip) {
  if (!proxy_ || !std::filesystem::exists(dir / "ports.json")) return;
  proxy_->unpublish_owner(owner);
  for (const auto& p : nlohmann::json::parse(fs::read_file(dir / "ports.json"))) {
    net::PortBinding b;
    b.host_ip = p.at("host_ip").get<std::string>();
    b.host_port = p.at("host_port").get<std::uint16_t>();
    b.protocol = p.at("protocol") == "udp" ? net::Protocol::Udp : net::Protocol::Tcp;
    b.container_ip = ip;
    b.container_port = p.at("container_port").get<std::uint16_t>();
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
        serve_endpoint(n, ep, endpoint_dns_names(*rec, ep.aliases), rec->name);
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
    // Not one of ours (a bare `runtime` container): from its bundle, as the default does.
    runtime::ContainerState st = rt.state(id);
    rt.remove(id, true);
    runtime::CreateOptions opts;
    opts.bundle = st.bundle;
    rt.create(id, opts);
    rt.start(id);
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
      serve_endpoint(*networks.get(name), ep, endpoint_dns_names(*rec, a.endpoint.aliases), rec->name);
      if (first && std::filesystem::exists(store.folder(id) / "ports.json")) {
        republish(store.folder(id), rec->name, ep.ip);
        std::vector<net::ForwardedPort> forwarded;
        for (const auto& p : nlohmann::json::parse(fs::read_file(store.folder(id) / "ports.json")))
          forwarded.push_back({p.at("protocol").get<std::string>(), p.at("host_ip").get<std::string>(), p.at("host_port").get<int>(),
                               p.at("container_port").get<int>()});
        networks.forward_ports(name, id, forwarded);
      }
      first = false;
    }
  }
  store.start(id);
  watch_health(id, false);
}

}  // namespace mycompose::scheduler
