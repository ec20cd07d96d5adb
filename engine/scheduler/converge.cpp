#include "mycompose/scheduler/converge.hpp"

#include <algorithm>
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/net/resolv_conf.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using Json = nlohmann::ordered_json;

struct Converger::Impl {
  const compose::Project& project;
  const ConvergeHooks& hooks;
  net::NetworkManager networks;
  ContainerStore store;
  Json services;

  Impl(const stdfs::path& root, const compose::Project& p, const ConvergeHooks& h)
      : project(p), hooks(h), networks(root), store(root), services(p.model.value("services", Json::object())) {}

  void say(const std::string& line) const {
    if (hooks.progress) hooks.progress(line);
  }

  std::string network_name(const std::string& key) const {
    const Json nets = project.model.value("networks", Json::object());
    if (nets.contains(key) && nets[key].is_object() && nets[key].contains("name")) return nets[key]["name"].get<std::string>();
    return project.name + "_" + key;
  }

  void ensure_networks() {
    const Json nets = project.model.value("networks", Json::object());  // items() needs a named object
    for (const auto& [key, entry] : nets.items()) {
      auto spec = net::network_spec_from_compose(project.name, key, nlohmann::json::parse(entry.dump()));
      if (networks.get(spec.name)) continue;
      if (spec.external)
        throw Error("network " + spec.name + " declared as external, but could not be found");
      networks.create(spec);
      say("Network " + spec.name + "  Created");
    }
  }

  std::map<std::string, std::string> ensure_volumes() {
    std::map<std::string, std::string> names;
    const Json vols = project.model.value("volumes", Json::object());
    for (const auto& [key, entry] : vols.items()) {
      const std::string name = entry.is_object() && entry.contains("name") ? entry["name"].get<std::string>() : project.name + "_" + key;
      names[key] = name;
      const bool external = entry.is_object() && entry.value("external", false);
      const bool exists = store.has_volume(name);
      if (external && !exists) throw Error("external volume \"" + name + "\" not found");
      if (!exists) {
        store.volume_path(name);
        say("Volume " + name + "  Created");
      }
    }
    return names;
  }

  std::vector<ExistingContainer> existing() {
    std::vector<ExistingContainer> out;
    for (const auto& r : store.list(project.name)) {
      ExistingContainer c{r.id, r.name, r.service, r.number, r.config_hash, store.state(r.id).status};
      auto oneoff = r.labels.find("com.docker.compose.oneoff");
      c.oneoff = oneoff != r.labels.end() && oneoff->second == "True";
      out.push_back(c);
    }
    return out;
  }

  // Every network the container is on: disconnect (the DNS forgets its address).
  void disconnect_all(const std::string& id) {
    for (const auto& n : networks.list()) {
      auto ep = n.endpoints.find(id);
      if (ep == n.endpoints.end()) continue;
      const std::string address = ep->second.ip;
      networks.disconnect(n.name, id);
      if (hooks.endpoint_removed) hooks.endpoint_removed(n.id, address);
    }
  }

  // The service's project networks, in Compose's order, unless network_mode says otherwise.
  void connect(const std::string& service, const ContainerRecord& rec) {
    const Json& def = services[service];
    if (!def.value("network_mode", "").empty()) return;
    const pid_t pid = store.state(rec.id).pid;
    for (const auto& a : net::service_attachments(nlohmann::json::parse(def.dump()))) {
      net::EndpointSpec spec = a.endpoint;
      const std::string name = network_name(a.network_key);
      auto ep = networks.connect(name, rec.id, net::NetnsRef::of_pid(pid), spec);
      if (hooks.endpoint_added) {
        std::vector<std::string> names = {service, rec.name, rec.id.substr(0, 12)};
        names.insert(names.end(), spec.aliases.begin(), spec.aliases.end());
        hooks.endpoint_added(*networks.get(name), ep, names, rec.name);
      }
    }
  }

  std::string resolv_conf_for(const std::string& service) {
    const Json& def = services[service];
    const std::string mode = def.value("network_mode", "");
    net::ContainerDnsOptions dns;
    for (const char* key : {"dns", "dns_search", "dns_opt"})
      if (def.contains(key))
        for (const auto& v : def[key]) (key == std::string("dns") ? dns.dns : key == std::string("dns_search") ? dns.dns_search : dns.dns_opt).push_back(v.get<std::string>());
    const net::ResolvConf host = net::host_resolv_conf();
    if (mode == "host") return net::container_resolv_conf(host, dns, net::ResolverMode::Host);
    if (!mode.empty()) return net::container_resolv_conf(host, dns, net::ResolverMode::Isolated);
    auto attachments = net::service_attachments(nlohmann::json::parse(def.dump()));
    auto first = attachments.empty() ? std::nullopt : networks.get(network_name(attachments.front().network_key));
    if (!first) return net::container_resolv_conf(host, dns, net::ResolverMode::Isolated);
    return net::container_resolv_conf(host, dns, net::ResolverMode::Embedded, first->gateway);
  }

  void create_and_start(const ServicePlan& sp, const DesiredContainer& want, const std::map<std::string, std::string>& volumes) {
    CreateRequest req;
    req.project = project.name;
    req.service = sp.name;
    req.definition = services[sp.name];
    req.desired = want;
    req.config_hash = sp.config_hash;
    req.volume_names = volumes;
    req.resolv_conf = resolv_conf_for(sp.name);
    for (const char* key : {"network_mode", "pid", "ipc"}) {
      const std::string mode = req.definition.value(key, "");
      const bool service = mode.rfind("service:", 0) == 0;
      if (!service && mode.rfind("container:", 0) != 0) continue;
      const std::string target = mode.substr(mode.find(':') + 1);
      std::optional<ContainerRecord> owner;
      for (const auto& c : store.list(project.name))
        if (service ? c.service == target : c.name == target) owner = c;
      if (!service && !owner) owner = store.find(target);
      if (owner) req.namespace_owners[mode] = store.state(owner->id).pid;
    }
    ContainerRecord rec = store.create(req);
    say("Container " + rec.name + "  Created");
    try {
      connect(sp.name, rec);
      store.start(rec.id);
    } catch (...) {
      disconnect_all(rec.id);
      store.remove(rec.id, true);
      throw;
    }
    say("Container " + rec.name + "  Started");
  }

  void remove(const std::string& id, const std::string& name) {
    say("Container " + name + "  Stopping");
    store.stop(id);
    disconnect_all(id);
    store.remove(id, true);
    say("Container " + name + "  Removed");
  }
};

Converger::Converger(stdfs::path root, ConvergeHooks hooks) : root_(std::move(root)), hooks_(std::move(hooks)) {}

void Converger::up(const compose::Project& project, const PlanOptions& plan_options, const ReconcileOptions& options) {
  Impl s(root_, project, hooks_);
  const Plan plan = make_plan(project, plan_options);
  std::set<std::string> model_services;
  for (const auto& [name, def] : s.services.items()) model_services.insert(name);
  s.ensure_networks();
  const auto volumes = s.ensure_volumes();
  const Reconciliation r = reconcile(plan, model_services, s.existing(), options);
  if (!r.orphans.empty()) s.say("WARN " + orphan_warning(r.orphans));
  for (const auto& step : r.steps) {
    switch (step.kind) {
      case StepKind::Create:
      case StepKind::Recreate: {
        if (step.kind == StepKind::Recreate) s.remove(step.container_id, step.name);
        const ServicePlan& sp = *plan.find(step.service);  // create steps are of planned services
        const auto& want = *std::find_if(sp.containers.begin(), sp.containers.end(), [&](const auto& c) { return c.number == step.number; });
        s.create_and_start(sp, want, volumes);
        break;
      }
      case StepKind::Start: {
        if (s.store.state(step.container_id).status == "stopped") {
          s.disconnect_all(step.container_id);
          s.store.renew(step.container_id);
        }
        auto rec = s.store.find(step.container_id);
        if (s.store.state(rec->id).status == "created") {
          s.disconnect_all(rec->id);
          s.connect(step.service, *rec);
          s.store.start(rec->id);
        }
        s.say("Container " + step.name + "  Started");
        break;
      }
      case StepKind::Keep:
        s.say("Container " + step.name + "  Running");
        break;
      case StepKind::Remove:
        s.remove(step.container_id, step.name);
        break;
    }
  }
}

void Converger::down(const compose::Project& project, const DownOptions& options) {
  Impl s(root_, project, hooks_);
  std::set<std::string> model_services;
  for (const auto& [name, def] : s.services.items()) model_services.insert(name);
  // Dependents first: the reverse of the plan's order; orphans (if asked) after them.
  std::vector<std::string> order;
  for (const auto& sp : make_plan(project).services) order.insert(order.begin(), sp.name);
  auto containers = s.store.list(project.name);
  for (const auto& service : order)
    for (const auto& c : containers)
      if (c.service == service) s.remove(c.id, c.name);
  for (const auto& c : containers)
    if (!model_services.count(c.service) && options.remove_orphans) s.remove(c.id, c.name);
  const Json nets = project.model.value("networks", Json::object());
  for (const auto& [key, entry] : nets.items()) {
    if (entry.is_object() && entry.value("external", false)) continue;
    const std::string name = s.network_name(key);
    if (!s.networks.get(name)) continue;
    s.networks.remove(name);
    s.say("Network " + name + "  Removed");
  }
  if (!options.remove_volumes) return;
  const Json vols = project.model.value("volumes", Json::object());
  for (const auto& [key, entry] : vols.items()) {
    if (entry.is_object() && entry.value("external", false)) continue;
    const std::string name = entry.is_object() && entry.contains("name") ? entry["name"].get<std::string>() : project.name + "_" + key;
    if (s.store.remove_volume(name)) s.say("Volume " + name + "  Removed");
  }
}

}  // namespace mycompose::scheduler
