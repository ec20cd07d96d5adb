#include "mycompose/scheduler/reconcile.hpp"

#include <algorithm>
#include <map>

namespace mycompose::scheduler {

Reconciliation reconcile(const Plan& plan, const std::set<std::string>& model_services,
                         const std::vector<ExistingContainer>& existing, const ReconcileOptions& options) {
  Reconciliation out;
  std::map<std::string, std::vector<const ExistingContainer*>> by_service;
  for (const auto& c : existing)
    if (!c.oneoff) by_service[c.service].push_back(&c);

  std::set<std::string> recreated;  // services with at least one Recreate step
  for (const auto& sp : plan.services) {
    auto& have = by_service[sp.name];
    std::sort(have.begin(), have.end(), [](auto* a, auto* b) { return a->number < b->number; });
    // A dependency recreated this time, with restart: true, recreates this service too.
    bool dependency_restarted = false;
    for (const auto& d : sp.depends_on)
      if (d.restart && recreated.count(d.service)) dependency_restarted = true;

    std::map<int, const ExistingContainer*> by_number;
    std::vector<const ExistingContainer*> extra;
    for (auto* c : have) {
      if (c->number >= 1 && c->number <= sp.replicas && !by_number.count(c->number)) by_number[c->number] = c;
      else extra.push_back(c);
    }
    for (const auto& want : sp.containers) {
      auto it = by_number.find(want.number);
      if (it == by_number.end()) {
        out.steps.push_back({StepKind::Create, sp.name, want.number, want.name, "", "missing"});
        continue;
      }
      const ExistingContainer& c = *it->second;
      std::string why;
      if (!options.no_recreate) {
        if (options.force_recreate) why = "--force-recreate";
        else if (c.config_hash != sp.config_hash) why = "config changed";
        else if (dependency_restarted) why = "dependency recreated";
      }
      if (!why.empty()) {
        out.steps.push_back({StepKind::Recreate, sp.name, want.number, want.name, c.id, why});
        recreated.insert(sp.name);
      } else if (c.status != "running") {
        out.steps.push_back({StepKind::Start, sp.name, want.number, c.name, c.id, c.status});
      } else {
        out.steps.push_back({StepKind::Keep, sp.name, want.number, c.name, c.id, "up to date"});
      }
    }
    // Scale down: the highest numbers go first, as docker compose removes them.
    std::sort(extra.begin(), extra.end(), [](auto* a, auto* b) { return a->number > b->number; });
    for (auto* c : extra)
      out.steps.push_back({StepKind::Remove, sp.name, c->number, c->name, c->id,
                           "scale " + std::to_string(have.size()) + " → " + std::to_string(sp.replicas)});
  }

  for (const auto& [service, have] : by_service) {
    if (model_services.count(service)) continue;
    for (auto* c : have) {
      if (options.remove_orphans) out.steps.push_back({StepKind::Remove, service, c->number, c->name, c->id, "orphan"});
      else out.orphans.push_back(c->name);
    }
  }
  std::sort(out.orphans.begin(), out.orphans.end());
  return out;
}

std::string orphan_warning(const std::vector<std::string>& orphans) {
  if (orphans.empty()) return "";
  std::string list;
  for (const auto& o : orphans) list += (list.empty() ? "" : " ") + o;
  return "Found orphan containers ([" + list + "]) for this project. If you removed or renamed this service in your compose "
         "file, you can run this command with the --remove-orphans flag to clean it up.";
}

}  // namespace mycompose::scheduler
