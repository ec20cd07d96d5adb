#include "mycompose/scheduler/converge.hpp"

#include "pre_start.hpp"
#include "project_state.hpp"
#include "mycompose/image/store.hpp"
#include "unsupported_keys.hpp"
#include "mycompose/scheduler/service_walk.hpp"

#include <algorithm>
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/net/resolv_conf.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using Json = nlohmann::ordered_json;

nlohmann::json ProgressEvent::to_json() const {
  static const char* const names[] = {"working", "done", "error", "warning"};
  nlohmann::json j = {{"id", id}, {"status", status}, {"state", names[static_cast<int>(state)]}};
  if (!text.empty()) j["text"] = text;
  return j;
}

Converger::Converger(stdfs::path root, ConvergeHooks hooks) : root_(std::move(root)), hooks_(std::move(hooks)) {}

namespace {

// How many containers of one service are created or removed at once: the time goes mostly to
// kernel waits (namespaces, veths, cgroups), which overlap well; the CPU part does not.
constexpr std::size_t kContainersAtOnce = 12;

// The service's own steps, one container each, in parallel.
void run_steps(ProjectState& s, const Plan& plan, const std::vector<const Step*>& steps, const std::map<std::string, std::string>& volumes,
               const UpOptions& up) {
  for_each_parallel(steps.size(), kContainersAtOnce, [&](std::size_t i) {
    const Step& step = *steps[i];
    switch (step.kind) {
      case StepKind::Create: {
        const ServicePlan& sp = *plan.find(step.service);  // create steps are of planned services
        const DesiredContainer want = sp.desired(step.number);
        if (up.no_start) s.create(sp, want, volumes);
        else s.create_and_start(sp, want, volumes);
        break;
      }
      case StepKind::Recreate: {
        const ServicePlan& sp = *plan.find(step.service);
        s.recreate(sp, sp.desired(step.number), volumes, step.container_id, step.name, up.timeout, !up.no_start);
        break;
      }
      case StepKind::Start:
        if (!up.no_start) s.start_existing(step.container_id, step.service, step.name);
        break;
      case StepKind::Keep:
        s.progress("Container " + step.name, "Running");
        break;
      case StepKind::Remove:
        s.remove(step.container_id, step.name, up.timeout);
        break;
    }
  });
}

// As docker compose's convergence: before a service's containers are recreated, the running
// containers of the services depending on it with `restart: true` are stopped; the reconcile
// gave them a Start step, taken once the recreated service meets their condition again (only
// planned services: one left out by --no-deps would stay stopped).
void stop_restart_dependents(ProjectState& s, const Plan& plan, const std::string& service, std::optional<std::chrono::seconds> timeout) {
  for (const auto& sp : plan.services) {
    const bool restarts = std::any_of(sp.depends_on.begin(), sp.depends_on.end(),
                                      [&](const Dependency& d) { return d.service == service && d.restart; });
    if (!restarts) continue;
    for (const auto& c : s.containers_of(sp.name)) {
      const std::string status = s.store.state(c.id).status;
      if (status == "running" || status == "paused") s.stop(c.id, c.name, timeout);
    }
  }
}

// As docker compose's convergence: a service that shares another service's volumes or
// namespaces needs a container of it by the time it is converged (--no-deps leaves it out).
void check_donors(ProjectState& s, const std::string& service) {
  const Json& def = s.services[service];
  auto has_container = [&](const std::string& donor) { return !s.containers_of(donor).empty(); };
  for (const auto& e : def.value("volumes_from", Json::array())) {
    const std::string entry = e.is_string() ? e.get<std::string>() : "";
    if (entry.empty() || entry.rfind("container:", 0) == 0) continue;
    const std::string donor = entry.substr(0, entry.find(':'));
    if (!has_container(donor)) throw Error("cannot share volume with service " + donor + ": container missing");
  }
  const std::pair<const char*, const char*> modes[] = {{"network_mode", "network"}, {"ipc", "IPC"}, {"pid", "PID"}};
  for (const auto& [key, what] : modes) {
    const std::string mode = def.value(key, "");
    if (mode.rfind("service:", 0) != 0) continue;
    const std::string donor = mode.substr(8);
    if (!has_container(donor)) throw Error(std::string("cannot share ") + what + " namespace with service " + donor + ": container missing");
  }
}

// pre_start hooks (pre_start.hpp) run when the service's containers start with none of them
// left running: a first up, a recreate, an up after stop; not an unchanged up nor a scale up
// (a Keep step). The containers are made first (the runners mount their volumes), the hooks
// run, then the containers start; a failing hook leaves them created. With --no-start the
// runners are only prepared, for a later `start`.
bool pre_start_due(const ProjectState& s, const std::string& service, const std::vector<const Step*>& steps) {
  if (!has_pre_start(s.services.value(service, Json::object()))) return false;
  const bool keeps = std::any_of(steps.begin(), steps.end(), [](const Step* st) { return st->kind == StepKind::Keep; });
  const bool starts = std::any_of(steps.begin(), steps.end(), [](const Step* st) { return st->kind != StepKind::Remove; });
  return !keeps && starts;
}

void run_steps_with_pre_start(ProjectState& s, const Plan& plan, const std::vector<const Step*>& steps,
                              const std::map<std::string, std::string>& volumes, const UpOptions& up) {
  UpOptions create_only = up;
  create_only.no_start = true;
  run_steps(s, plan, steps, volumes, create_only);
  const ServicePlan& sp = *plan.find(steps.front()->service);
  prepare_pre_start_runners(s, sp, volumes);
  if (up.no_start) return;
  run_pre_start(s, sp.name);
  for (const auto& c : s.containers_of(sp.name)) s.start_existing(c.id, sp.name, c.name);
}

}  // namespace

void Converger::up(const compose::Project& project, const PlanOptions& plan_options, const ReconcileOptions& options, const UpOptions& up) {
  ProjectState s(root_, project, hooks_);
  const Plan plan = make_plan(project, plan_options);
  check_sysctls(project, plan);
  std::set<std::string> model_services;
  for (const auto& [name, def] : s.services.items()) model_services.insert(name);
  s.ensure_networks();
  s.recreate_volumes.insert(up.recreate_volumes.begin(), up.recreate_volumes.end());
  const auto volumes = s.ensure_volumes();
  s.mark_switched_volumes(volumes);
  for (const auto& w : unsupported_key_warnings(project.model)) s.warn(w);
  s.renew_anonymous_volumes = up.renew_anon_volumes;
  // As docker compose: a container whose image is no longer the one its reference names
  // (rebuilt by --build, pulled) is outdated, even with the same configuration.
  ReconcileOptions with_images = options;
  {
    image::ImageStore images(root_);
    for (const auto& sp : plan.services)
      if (const auto current = images.resolve(s.services[sp.name].value("image", ""))) with_images.images[sp.name] = *current;
  }
  Reconciliation r = reconcile(plan, model_services, s.existing(), with_images);
  if (!r.orphans.empty()) s.warn(orphan_warning(r.orphans));

  std::map<std::string, std::vector<const Step*>> by_service;
  std::vector<WalkNode> nodes;
  for (const auto& step : r.steps) by_service[step.service].push_back(&step);
  for (const auto& sp : plan.services) {
    WalkNode node{sp.name, {}};
    for (const auto& d : sp.depends_on) node.after.push_back({d.service, d.required, d.condition});
    nodes.push_back(node);
  }
  // Orphans (--remove-orphans) belong to no planned service: removed alongside the walk.
  for (const auto& [service, steps] : by_service)
    if (!plan.find(service)) nodes.push_back({service, {}});

  WalkCallbacks cb;
  cb.work = [&](const std::string& service) {
    auto it = by_service.find(service);
    if (it == by_service.end()) return;
    if (plan.find(service)) check_donors(s, service);
    if (std::any_of(it->second.begin(), it->second.end(), [](const Step* st) { return st->kind == StepKind::Recreate; }))
      stop_restart_dependents(s, plan, service, up.timeout);
    if (plan.find(service) && pre_start_due(s, service, it->second)) run_steps_with_pre_start(s, plan, it->second, volumes, up);
    else run_steps(s, plan, it->second, volumes, up);
  };
  cb.blocked = [&](const std::string& service) {
    auto it = by_service.find(service);
    if (it == by_service.end()) return;
    UpOptions create_only = up;
    create_only.no_start = true;
    try {
      run_steps(s, plan, it->second, volumes, create_only);
    } catch (const std::exception&) {  // the dependency's failure is the one reported
    }
  };
  cb.gate = [&](const std::string&, const WalkEdge& edge) {
    if (!up.no_start) s.wait_condition(edge.service, edge.condition);
  };
  cb.warn = [&](const std::string& text) { s.warn(text); };
  walk_services(nodes, cb);
  if (up.wait && !up.no_start) s.wait_running_or_healthy(plan, up.wait_timeout);
}

void Converger::down(const compose::Project& project, const DownOptions& options) {
  ProjectState s(root_, project, hooks_);
  s.remove_anonymous_volumes = options.remove_volumes;  // -v: anonymous volumes go with their containers
  std::set<std::string> model_services;
  for (const auto& [name, def] : s.services.items()) model_services.insert(name);
  // Dependents first: each service waits for the services that depend on it; orphans (if
  // asked) alongside.
  const auto containers = s.store.list(project.name);
  std::map<std::string, WalkNode> nodes;
  for (const auto& sp : make_plan(project).services) {
    nodes[sp.name].service = sp.name;
    for (const auto& d : sp.depends_on) {
      nodes[d.service].service = d.service;
      nodes[d.service].after.push_back({sp.name, false, ""});
    }
  }
  for (const auto& c : containers)
    if (!model_services.count(c.service) && options.remove_orphans) nodes[c.service].service = c.service;
  std::vector<WalkNode> walk;
  for (auto& [name, node] : nodes) walk.push_back(node);
  WalkCallbacks cb;
  cb.work = [&](const std::string& service) {
    std::vector<const ContainerRecord*> mine;
    for (const auto& c : containers)
      if (c.service == service) mine.push_back(&c);
    for_each_parallel(mine.size(), kContainersAtOnce, [&](std::size_t i) { s.remove(mine[i]->id, mine[i]->name, options.timeout); });
  };
  walk_services(walk, cb);
  const Json nets = project.model.value("networks", Json::object());
  for (const auto& [key, entry] : nets.items()) {
    if (entry.is_object() && entry.value("external", false)) continue;
    const std::string name = s.network_name(key);
    if (!s.networks.get(name)) continue;
    s.progress("Network " + name, "Removing", ProgressEvent::State::Working);
    const std::string id = s.networks.get(name)->id;
    s.networks.remove(name);
    if (hooks_.network_removed) hooks_.network_removed(id);
    s.progress("Network " + name, "Removed");
  }
  if (!options.remove_volumes) return;
  const Json vols = project.model.value("volumes", Json::object());
  for (const auto& [key, entry] : vols.items()) {
    if (entry.is_object() && entry.value("external", false)) continue;
    const std::string name = entry.is_object() && entry.contains("name") ? entry["name"].get<std::string>() : project.name + "_" + key;
    if (s.store.remove_volume(name)) s.progress("Volume " + name, "Removed");
  }
}

}  // namespace mycompose::scheduler
