#include "mycompose/scheduler/converge.hpp"

#include "project_state.hpp"

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

void Converger::up(const compose::Project& project, const PlanOptions& plan_options, const ReconcileOptions& options) {
  ProjectState s(root_, project, hooks_);
  const Plan plan = make_plan(project, plan_options);
  std::set<std::string> model_services;
  for (const auto& [name, def] : s.services.items()) model_services.insert(name);
  s.ensure_networks();
  const auto volumes = s.ensure_volumes();
  const Reconciliation r = reconcile(plan, model_services, s.existing(), options);
  if (!r.orphans.empty()) s.warn(orphan_warning(r.orphans));
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
      case StepKind::Start:
        s.start_existing(step.container_id, step.service, step.name);
        break;
      case StepKind::Keep:
        s.progress("Container " + step.name, "Running");
        break;
      case StepKind::Remove:
        s.remove(step.container_id, step.name);
        break;
    }
  }
}

void Converger::down(const compose::Project& project, const DownOptions& options) {
  ProjectState s(root_, project, hooks_);
  s.remove_anonymous_volumes = options.remove_volumes;  // -v: anonymous volumes go with their containers
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
    s.progress("Network " + name, "Removing", ProgressEvent::State::Working);
    s.networks.remove(name);
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
