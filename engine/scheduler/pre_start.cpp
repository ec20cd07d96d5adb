#include "pre_start.hpp"

#include <algorithm>
#include <set>

#include "mycompose/common/error.hpp"
#include "hooks.hpp"
#include "log_cursor.hpp"
#include "log_output.hpp"
#include "wait_exit.hpp"

namespace mycompose::scheduler {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kHookLabel = "com.docker.compose.hook";
constexpr const char* kHookIndexLabel = "com.docker.compose.hook.index";

// Lists that complete the service's (compose's merge rules for sequences of unique values).
bool accumulates(const std::string& key) {
  static const std::set<std::string> keys = {"cap_add", "cap_drop", "configs", "device_cgroup_rules", "devices", "dns", "dns_opt",
                                             "dns_search", "env_file", "expose", "external_links", "group_add", "links", "secrets",
                                             "security_opt", "tmpfs", "volumes_from"};
  return keys.count(key) > 0;
}

std::string host_of(const Json& entry) {
  const std::string e = entry.is_string() ? entry.get<std::string>() : entry.dump();
  return e.substr(0, e.find('='));
}

std::string short_id(const std::string& id) { return id.substr(0, 12); }

// The runner's own progress lines are not shown; its output still goes to the log capture.
ConvergeHooks runner_hooks(const ConvergeHooks& hooks) {
  ConvergeHooks h = hooks;
  h.progress = nullptr;
  h.started = nullptr;
  h.publish = nullptr;
  return h;
}

// What a runner prints, followed in its log while it runs: each line to the foreground as
// "<service> pre_start[<i>] ->" (docker compose's source), and the tail for a failure's message
// (stderr's, else stdout's). A runner with no log (driver none) has nothing to tell.
class RunnerRelay {
 public:
  RunnerRelay(ProjectState& s, const ContainerRecord& runner, const std::string& service, const std::string& hook)
      : s_(s), runner_(runner), service_(service), source_(service + " " + hook + " ->"),
        cursor_(json_log_path(s.store.folder(runner.id))) {}

  // The whole lines logged so far.
  void pump() {
    for (; const LogEntry* e = cursor_.peek(); cursor_.next()) {
      const int stream = e->stream == "stderr";
      partial_[stream] += e->text;
      // Entries end with '\n' but for the parts of a line the log cut at 16 KiB.
      if (partial_[stream].ends_with('\n')) partial_[stream].pop_back();
      else if (partial_[stream].size() <= HookLines::kMaxHookLine) continue;
      emit(stream, partial_[stream]);
      partial_[stream].clear();
    }
  }

  // After the runner exited: the rest of its output, and the tail for a failure's message.
  std::string finish() {
    if (s_.hooks.drain_output) s_.hooks.drain_output(runner_.id);
    pump();
    for (int stream : {0, 1})
      if (!partial_[stream].empty()) emit(stream, partial_[stream]);
    return failure_tail(tails_[0], tails_[1]);
  }

 private:
  void emit(int stream, const std::string& line) {
    tails_[stream].add_line(line);
    if (s_.hooks.hook_output) s_.hooks.hook_output(runner_.name, service_, line, source_);
  }

  ProjectState& s_;
  const ContainerRecord& runner_;
  std::string service_, source_;
  LogCursor cursor_;
  std::string partial_[2];  // stdout, stderr
  OutputTail tails_[2];
};

std::optional<ContainerRecord> donor_of(ProjectState& s, const std::string& service) {
  std::optional<ContainerRecord> donor;
  for (auto& c : s.containers_of(service))
    if (!donor || c.number < donor->number) donor = std::move(c);
  return donor;
}

}  // namespace

bool has_pre_start(const Json& service) {
  return service.contains("pre_start") && service["pre_start"].is_array() && !service["pre_start"].empty();
}

bool is_pre_start_runner(const ContainerRecord& rec) {
  auto it = rec.labels.find(kHookLabel);
  return it != rec.labels.end() && it->second == "pre_start";
}

std::string pre_start_runner_name(const std::string& project, const std::string& service, std::size_t index) {
  return project + "-" + service + "-pre_start-" + std::to_string(index);
}

Json pre_start_definition(const Json& service, const Json& hook, const std::string& donor) {
  Json def = service;
  for (const char* key : {"pre_start", "post_start", "pre_stop", "ports", "restart", "container_name", "volumes", "healthcheck",
                          "depends_on", "develop", "build", "scale", "profiles", "mac_address"})
    def.erase(key);
  // The donor container carries the service's volumes_from mounts already.
  if (!donor.empty()) def.erase("volumes_from");
  if (def.contains("deploy") && def["deploy"].is_object()) {
    def["deploy"].erase("restart_policy");
    def["deploy"].erase("replicas");
  }
  for (const auto& [key, value] : hook.items()) {
    if (key == "per_replica") continue;
    if (key == "extra_hosts" && def.contains(key) && def[key].is_array() && value.is_array()) {
      Json merged = Json::array();
      std::set<std::string> own;
      for (const auto& e : value) own.insert(host_of(e));
      for (const auto& e : def[key])
        if (!own.count(host_of(e))) merged.push_back(e);
      for (const auto& e : value) merged.push_back(e);
      def[key] = merged;
    } else if (def.contains(key) && def[key].is_object() && value.is_object()) {
      for (const auto& [k, v] : value.items()) def[key][k] = v;
    } else if (def.contains(key) && def[key].is_array() && value.is_array() && accumulates(key)) {
      for (const auto& e : value)
        if (std::find(def[key].begin(), def[key].end(), e) == def[key].end()) def[key].push_back(e);
    } else {
      def[key] = value;
    }
  }
  // The service container's mounts (named, anonymous and bind alike) come through
  // volumes_from; the hook's own `volumes` win per target (container_settings' rule).
  if (!donor.empty()) {
    if (!def.contains("volumes_from") || !def["volumes_from"].is_array()) def["volumes_from"] = Json::array();
    def["volumes_from"].push_back("container:" + donor);
  }
  // A runner is no replica: not reachable by the service's aliases or fixed addresses.
  if (def.contains("networks") && def["networks"].is_object())
    for (auto it = def["networks"].begin(); it != def["networks"].end(); ++it) {
      if (!it.value().is_object()) it.value() = Json::object();
      it.value()["aliases"] = Json::array();
      for (const char* k : {"ipv4_address", "ipv6_address", "mac_address", "link_local_ips"}) it.value().erase(k);
    }
  return def;
}

void purge_pre_start_runners(ProjectState& s, const std::string& service) {
  const ConvergeHooks quiet = runner_hooks(s.hooks);  // ProjectState keeps a reference
  ProjectState r(s.root, s.project, quiet);
  r.remove_anonymous_volumes = true;
  for (const auto& c : r.store.list(s.project.name))
    if (c.service == service && is_pre_start_runner(c)) r.remove(c.id, c.name, std::chrono::seconds(0), false);
}

void prepare_pre_start_runners(ProjectState& s, const ServicePlan& sp, const std::map<std::string, std::string>& volumes) {
  const Json service = s.services.value(sp.name, Json::object());
  if (!has_pre_start(service)) return;
  const Json& hooks = service["pre_start"];
  for (std::size_t i = 0; i < hooks.size(); ++i)
    if (hooks[i].value("per_replica", false))
      throw Error("service \"" + sp.name + "\" pre_start[" + std::to_string(i) +
                  "]: per_replica is not yet supported; remove per_replica or set it to false");
  purge_pre_start_runners(s, sp.name);
  const auto donor = donor_of(s, sp.name);
  const ConvergeHooks quiet = runner_hooks(s.hooks);  // ProjectState keeps a reference
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    ProjectState r(s.root, s.project, quiet);
    r.services[sp.name] = pre_start_definition(service, hooks[i], donor ? donor->name : "");
    DesiredContainer want;
    want.name = pre_start_runner_name(s.project.name, sp.name, i);
    want.labels = sp.labels;
    want.labels.erase("com.docker.compose.config-hash");
    want.labels["com.docker.compose.oneoff"] = "True";
    want.labels["com.docker.compose.container-number"] = "1";
    want.labels[kHookLabel] = "pre_start";
    want.labels[kHookIndexLabel] = std::to_string(i);
    want.number = 1;
    r.create(sp, want, volumes, [](CreateRequest& req) { req.config_hash.clear(); }, false);
  }
}

void run_pre_start(ProjectState& s, const std::string& service) {
  const Json def = s.services.value(service, Json::object());
  if (!has_pre_start(def)) return;
  const ConvergeHooks quiet = runner_hooks(s.hooks);  // ProjectState keeps a reference
  ProjectState r(s.root, s.project, quiet);
  r.remove_anonymous_volumes = true;
  const std::string where = "service \"" + service + "\" pre_start[";
  for (std::size_t i = 0; i < def["pre_start"].size(); ++i) {
    const auto rec = r.store.find(pre_start_runner_name(s.project.name, service, i));
    const bool fresh = rec && rec->project == s.project.name && rec->service == service && is_pre_start_runner(*rec) &&
                       r.store.state(rec->id).status == "created";
    if (!fresh)
      throw Error(where + std::to_string(i) +
                  "]: no hook runner container found — either its runner was already consumed by a previous start, or "
                  "the service's container state changed after reconciliation planned this run; run `mycompose up " +
                  service + "` to prepare fresh runners");
    try {
      r.store.start(rec->id);
    } catch (...) {
      r.remove(rec->id, rec->name, std::chrono::seconds(0), false);
      throw;
    }
    RunnerRelay relay(s, *rec, service, "pre_start[" + std::to_string(i) + "]");
    runtime::ContainerState st = r.store.state(rec->id);
    while (st.status != "stopped") {
      wait_a_little(st.pid, std::chrono::milliseconds(200));
      relay.pump();
      st = r.store.state(rec->id);
    }
    const int code = st.exit_code.value_or(-1);
    const std::string tail = relay.finish();
    if (code != 0)  // kept for `logs`/`inspect`; the next up purges it
      throw Error(where + std::to_string(i) + "] exited with code " + std::to_string(code) +
                  (tail.empty() ? "" : ": " + tail) + " (hook container " + short_id(rec->id) + " retained for inspection)");
    r.remove(rec->id, rec->name, std::chrono::seconds(0), false);
  }
}

}  // namespace mycompose::scheduler
