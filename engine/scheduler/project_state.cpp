#include "project_state.hpp"

#include <algorithm>

#include "container_hosts.hpp"
#include "hooks.hpp"
#include "ipc_donor.hpp"
#include "link_aliases.hpp"

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/scheduler/volumes.hpp"
#include "oneoff.hpp"
#include "mycompose/net/resolv_conf.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;

ProjectState::ProjectState(const stdfs::path& root, const compose::Project& p, const ConvergeHooks& h)
    : project(p), hooks(h), networks(root), store(root), services(p.model.value("services", Json::object())), root(root) {}

void ProjectState::progress(const std::string& id, const std::string& status, ProgressEvent::State state, const std::string& text) const {
  if (hooks.progress) hooks.progress(ProgressEvent{id, status, state, text});
}

void ProjectState::warn(const std::string& text) const { progress("", "", ProgressEvent::State::Warning, text); }

std::string ProjectState::network_name(const std::string& key) const {
  const Json nets = project.model.value("networks", Json::object());
  if (nets.contains(key) && nets[key].is_object() && nets[key].contains("name")) return nets[key]["name"].get<std::string>();
  return project.name + "_" + key;
}

void ProjectState::ensure_networks() {
  const Json nets = project.model.value("networks", Json::object());  // items() needs a named object
  for (const auto& [key, entry] : nets.items()) {
    auto spec = net::network_spec_from_compose(project.name, key, nlohmann::json::parse(entry.dump()));
    if (spec.external) {
      if (!networks.get(spec.name)) throw Error("network " + spec.name + " declared as external, but could not be found");
      continue;
    }
    // As docker compose: the definition's hash on the network; a network made from another
    // definition (subnet, labels, driver_opts…) is removed with the containers on it stopped,
    // then made again; the reconcile starts those same containers again, on the new network
    // (no prompt: a network holds no data).
    const std::string hash = sha256_hex(entry.dump());
    if (auto have = networks.get(spec.name)) {
      auto recorded = have->labels.find("com.docker.compose.config-hash");
      if (recorded == have->labels.end() || recorded->second == hash) continue;
      remove_diverged_network(*have);
    }
    spec.labels["com.docker.compose.config-hash"] = hash;
    progress("Network " + spec.name, "Creating", ProgressEvent::State::Working);
    networks.create(spec);
    progress("Network " + spec.name, "Created");
  }
}

void ProjectState::remove_diverged_network(const net::NetworkRecord& network) {
  for (const auto& [id, endpoint] : network.endpoints) {
    const auto rec = store.find(id);
    if (!rec) continue;
    const std::string status = store.state(id).status;
    if (status == "running" || status == "paused") stop(id, rec->name);
    disconnect_all(id);
  }
  networks.remove(network.name);
  if (hooks.network_removed) hooks.network_removed(network.id);
  progress("Network " + network.name, "Removed");
}

std::map<std::string, std::string> ProjectState::ensure_volumes() {
  std::map<std::string, std::string> names;
  const Json vols = project.model.value("volumes", Json::object());
  for (const auto& [key, entry] : vols.items()) {
    const std::string name = entry.is_object() && entry.contains("name") ? entry["name"].get<std::string>() : project.name + "_" + key;
    names[key] = name;
    const bool external = entry.is_object() && entry.value("external", false);
    bool exists = store.has_volume(name);
    if (external && !exists) throw Error("external volume \"" + name + "\" not found");
    const std::string hash = volume_config_hash(entry);
    if (exists && !external && recreate_volumes.count(name)) {
      if (const auto have = find_volume(root, name)) {
        const auto recorded = have->labels.find(kVolumeConfigHashLabel);
        if (recorded != have->labels.end() && recorded->second != hash) {
          remove_diverged_volume(name);
          exists = false;
        }
      }
    }
    if (!exists) {
      // Docker compose's labels, recorded beside _data for `volume ls/inspect/prune`.
      std::map<std::string, std::string> labels{{"com.docker.compose.project", project.name}, {"com.docker.compose.volume", key}};
      if (entry.is_object() && entry.contains("labels") && entry["labels"].is_object())
        for (const auto& [k, v] : entry["labels"].items()) labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
      if (!external) labels[kVolumeConfigHashLabel] = hash;
      // docker compose quotes a volume's name when it creates it (`Volume %q`), not when it removes it.
      const std::string id = "Volume \"" + name + "\"";
      progress(id, "Creating", ProgressEvent::State::Working);
      record_volume(networks.state_dir().parent_path(), name, labels);
      progress(id, "Created");
    }
  }
  return names;
}

void ProjectState::remove_diverged_volume(const std::string& name) {
  // Never another project's container: the volume stays, with docker's in-use error.
  const auto users = volume_users(root);
  std::vector<ContainerRecord> mine;
  if (auto u = users.find(name); u != users.end())
    for (const auto& user : u->second) {
      const auto rec = store.find(user);
      if (!rec || rec->project != project.name) throw Error("remove " + name + ": volume is in use - [" + user + "]");
      mine.push_back(*rec);
    }
  for (const auto& rec : mine) remove(rec.id, rec.name);
  store.remove_volume(name);
  progress("Volume " + name, "Removed");
}

void ProjectState::mark_switched_volumes(const std::map<std::string, std::string>& volumes) {
  const auto users = volume_users(root);
  for (const auto& c : store.list(project.name)) {
    if (!services.contains(c.service)) continue;
    for (const auto& v : services[c.service].value("volumes", Json::array())) {
      if (!v.is_object() || v.value("type", "") != "volume") continue;
      auto name = volumes.find(v.value("source", ""));
      if (name == volumes.end()) continue;
      auto u = users.find(name->second);
      const bool mounted = u != users.end() && std::find(u->second.begin(), u->second.end(), c.name) != u->second.end();
      if (!mounted) stale.emplace(c.id, "volume " + name->second + " not mounted");
    }
  }
}

std::vector<ExistingContainer> ProjectState::existing() {
  std::vector<ExistingContainer> out;
  for (const auto& r : store.list(project.name)) {
    ExistingContainer c{r.id, r.name, r.service, r.number, r.config_hash, store.state(r.id).status};
    c.image_id = r.image_id;
    if (auto why = stale.find(r.id); why != stale.end()) c.stale = why->second;
    auto oneoff = r.labels.find("com.docker.compose.oneoff");
    c.oneoff = oneoff != r.labels.end() && oneoff->second == "True";
    out.push_back(c);
  }
  return out;
}

void ProjectState::disconnect_all(const std::string& id) {
  if (hooks.unpublish) {
    const auto rec = store.find(id);
    if (rec) hooks.unpublish(rec->name);
  }
  for (const auto& n : networks.list()) {
    auto ep = n.endpoints.find(id);
    if (ep == n.endpoints.end()) continue;
    const std::string address = ep->second.ip;
    networks.disconnect(n.name, id);
    if (hooks.endpoint_removed) hooks.endpoint_removed(n.id, address);
  }
}

void ProjectState::connect(const std::string& service, const ContainerRecord& rec) {
  const Json& def = services[service];
  if (!def.value("network_mode", "").empty()) return;
  const pid_t pid = store.state(rec.id).pid;
  bool first = true;
  for (const auto& a : net::service_attachments(nlohmann::json::parse(def.dump()))) {
    net::EndpointSpec spec = a.endpoint;
    const std::string name = network_name(a.network_key);
    auto ep = networks.connect(name, rec.id, net::NetnsRef::of_pid(pid), spec);
    if (first) {
      publish_ports(service, rec, name, ep);  // as Docker: on the first network
      set_own_address(store.folder(rec.id), rec.name, ep.ip);
    }
    first = false;
    if (hooks.endpoint_added) {
      hooks.endpoint_added(*networks.get(name), ep, endpoint_dns_names(rec, spec.aliases), rec.name, link_aliases(def));
    }
  }
}

std::optional<net::NetworkRecord> ProjectState::first_network(const std::string& service) {
  const Json& def = services[service];
  if (!def.value("network_mode", "").empty()) return std::nullopt;
  auto attachments = net::service_attachments(nlohmann::json::parse(def.dump()));
  return attachments.empty() ? std::nullopt : networks.get(network_name(attachments.front().network_key));
}

std::string ProjectState::resolv_conf_for(const std::string& service) {
  const Json& def = services[service];
  const std::string mode = def.value("network_mode", "");
  net::ContainerDnsOptions dns;
  for (const char* key : {"dns", "dns_search", "dns_opt"})
    if (def.contains(key))
      for (const auto& v : def[key])
        (key == std::string("dns") ? dns.dns : key == std::string("dns_search") ? dns.dns_search : dns.dns_opt).push_back(v.get<std::string>());
  const net::ResolvConf host = net::host_resolv_conf();
  if (mode == "host") return net::container_resolv_conf(host, dns, net::ResolverMode::Host);
  if (!mode.empty()) return net::container_resolv_conf(host, dns, net::ResolverMode::Isolated);
  auto first = first_network(service);
  if (!first) return net::container_resolv_conf(host, dns, net::ResolverMode::Isolated);
  return net::container_resolv_conf(host, dns, net::ResolverMode::Embedded, first->gateway);
}

ContainerRecord ProjectState::create(const ServicePlan& sp, const DesiredContainer& want, const std::map<std::string, std::string>& volumes,
                                     const std::function<void(CreateRequest&)>& adjust, bool announce) {
  CreateRequest req;
  req.project = project.name;
  req.service = sp.name;
  req.definition = services[sp.name];
  req.desired = want;
  req.config_hash = sp.config_hash;
  req.volume_names = volumes;
  req.resolv_conf = resolv_conf_for(sp.name);
  if (auto gw = first_network(sp.name)) req.host_gateway = gw->gateway;
  req.secrets = project.model.value("secrets", Json::object());
  req.configs = project.model.value("configs", Json::object());
  req.environment = project.environment;
  req.anonymous_volumes = anonymous_handover.take(want.name);
  req.volumes_from = volumes_from_containers(store, project.name, req.definition);
  for (const char* key : {"network_mode", "pid", "ipc"}) {
    const std::string mode = req.definition.value(key, "");
    const bool service = mode.rfind("service:", 0) == 0;
    if (!service && mode.rfind("container:", 0) != 0) continue;
    const std::string target = mode.substr(mode.find(':') + 1);
    std::optional<ContainerRecord> owner;
    for (const auto& c : store.list(project.name))
      if (service ? c.service == target : c.name == target) owner = c;
    if (!service && !owner) owner = store.find(target);
    if (owner && std::string(key) == "ipc") check_ipc_donor(store.folder(owner->id), service ? owner->id : target);
    if (owner) req.namespace_owners[mode] = store.state(owner->id).pid;
  }
  if (adjust) adjust(req);
  if (announce) progress("Container " + want.name, "Creating", ProgressEvent::State::Working);
  ContainerRecord rec = store.create(req);
  if (hooks.container_created) hooks.container_created(rec.id);
  try {
    connect(sp.name, rec);
  } catch (...) {
    disconnect_all(rec.id);
    store.remove(rec.id, true);
    throw;
  }
  // What a restart after a crash needs to reconnect the container the way it was made.
  Json networks_by_key = Json::object();
  for (const auto& a : net::service_attachments(nlohmann::json::parse(services[sp.name].dump())))
    networks_by_key[a.network_key] = network_name(a.network_key);
  fs::write_file_atomic(store.folder(rec.id) / "service.json",
                        Json{{"definition", services[sp.name]}, {"networks", networks_by_key}}.dump());
  if (announce) progress("Container " + rec.name, "Created");
  return rec;
}

void ProjectState::create_and_start(const ServicePlan& sp, const DesiredContainer& want, const std::map<std::string, std::string>& volumes) {
  start_new(sp, create(sp, want, volumes));
}

void ProjectState::recreate(const ServicePlan& sp, const DesiredContainer& want, const std::map<std::string, std::string>& volumes,
                            const std::string& old_id, const std::string& old_name, std::optional<std::chrono::seconds> timeout,
                            bool start) {
  // docker compose's words for a replaced container: "Recreate", then "Recreated" (its
  // stop, removal and the new container's creation are not shown), then Starting/Started.
  progress("Container " + old_name, "Recreate", ProgressEvent::State::Working);
  remove(old_id, old_name, timeout, false);
  ContainerRecord rec = create(sp, want, volumes, nullptr, false);
  progress("Container " + old_name, "Recreated");
  if (start) start_new(sp, rec);
}

void ProjectState::start_new(const ServicePlan& sp, const ContainerRecord& rec) {
  progress("Container " + rec.name, "Starting", ProgressEvent::State::Working);
  try {
    store.start(rec.id);
  } catch (...) {
    disconnect_all(rec.id);
    store.remove(rec.id, true);
    throw;
  }
  if (hooks.started) hooks.started(rec.id, restart_policy_of(services[sp.name]));
  run_lifecycle_hooks(hooks, "post_start", sp.name, services[sp.name], rec.id, rec.name);
  progress("Container " + rec.name, "Started");
}

void ProjectState::start_existing(const std::string& id, const std::string& service, const std::string& name) {
  const std::string status = store.state(id).status;
  if (status == "running" || status == "paused") return;
  progress("Container " + name, "Starting", ProgressEvent::State::Working);
  if (status == "stopped") {
    disconnect_all(id);
    store.renew(id);
  }
  auto rec = store.find(id);
  if (!rec) throw Error("no such container: " + name);
  disconnect_all(id);
  connect(service, *rec);
  store.start(id);
  if (hooks.started) hooks.started(id, restart_policy_of(services.value(service, Json::object())));
  run_lifecycle_hooks(hooks, "post_start", service, services.value(service, Json::object()), id, name);
  progress("Container " + name, "Started");
}

void ProjectState::run_pre_stop(const std::string& id) {
  const auto rec = store.find(id);
  if (!rec || store.state(id).status != "running") return;
  run_lifecycle_hooks(hooks, "pre_stop", rec->service, services.value(rec->service, Json::object()), id, rec->name);
}

void ProjectState::stop(const std::string& id, const std::string& name, std::optional<std::chrono::seconds> timeout) {
  progress("Container " + name, "Stopping", ProgressEvent::State::Working);
  run_pre_stop(id);
  if (hooks.stopping) hooks.stopping(id);
  store.stop(id, timeout);
  progress("Container " + name, "Stopped");
}

void ProjectState::remove(const std::string& id, const std::string& name, std::optional<std::chrono::seconds> timeout, bool announce) {
  if (announce) progress("Container " + name, "Stopping", ProgressEvent::State::Working);
  run_pre_stop(id);
  // No restart, no more probes: a probe's health.json landed in the folder while it was
  // being removed ("Directory not empty").
  if (hooks.stopping) hooks.stopping(id);
  store.stop(id, timeout);
  if (announce) progress("Container " + name, "Stopped");
  if (announce) progress("Container " + name, "Removing", ProgressEvent::State::Working);
  disconnect_all(id);
  release_anonymous_volumes(id, name);
  if (hooks.removed) hooks.removed(id);
  store.remove(id, true);
  if (announce) progress("Container " + name, "Removed");
}

}  // namespace mycompose::scheduler

namespace mycompose::scheduler {

std::string restart_policy_of(const nlohmann::ordered_json& service) {
  if (service.contains("restart") && service["restart"].is_string()) return service["restart"].get<std::string>();
  if (service.contains("deploy") && service["deploy"].contains("restart_policy")) {
    const auto& p = service["deploy"]["restart_policy"];
    const std::string condition = p.value("condition", "any");
    if (condition == "none") return "no";
    if (condition == "any") return "always";
    if (condition == "on-failure")
      return p.contains("max_attempts") ? "on-failure:" + std::to_string(p["max_attempts"].get<int>()) : "on-failure";
  }
  return "no";
}

}  // namespace mycompose::scheduler
