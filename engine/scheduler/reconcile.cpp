#include "mycompose/scheduler/reconcile.hpp"

#include <algorithm>
#include <map>

namespace mycompose::scheduler {

namespace {

// Why an existing container must be recreated; "" when it is up to date.
std::string outdated(const ServicePlan& sp, const ExistingContainer& c, const ReconcileOptions& options) {
  if (options.no_recreate) return "";
  // As docker compose: the services named get --force-recreate, their dependencies the
  // default (recreated when changed) unless --always-recreate-deps.
  if (options.force_recreate && (options.named.empty() || options.named.count(sp.name))) return "--force-recreate";
  if (options.always_recreate_deps && !options.named.empty() && !options.named.count(sp.name)) return "--always-recreate-deps";
  if (c.config_hash != sp.config_hash) return "config changed";
  if (!c.stale.empty()) return c.stale;
  if (auto it = options.images.find(sp.name); it != options.images.end() && !c.image_id.empty() && c.image_id != it->second)
    return "image changed";
  return "";
}

}  // namespace

Reconciliation reconcile(const Plan& plan, const std::set<std::string>& model_services,
                         const std::vector<ExistingContainer>& existing, const ReconcileOptions& options) {
  Reconciliation out;
  std::map<std::string, std::vector<const ExistingContainer*>> by_service;
  for (const auto& c : existing)
    if (!c.oneoff) by_service[c.service].push_back(&c);

  std::set<std::string> recreated;  // services with at least one Recreate step
  for (const auto& sp : plan.services) {
    auto& have = by_service[sp.name];
    // A dependency recreated this time, with restart: true, restarts this service.
    bool dependency_restarted = false;
    for (const auto& d : sp.depends_on)
      if (d.restart && recreated.count(d.service)) dependency_restarted = true;

    // docker compose's order: up-to-date replicas by number, then the outdated ones; the
    // first `replicas` are kept, the rest removed.
    std::vector<std::pair<const ExistingContainer*, std::string>> ordered;
    int highest = 0;
    for (auto* c : have) {
      ordered.emplace_back(c, outdated(sp, *c, options));
      highest = std::max(highest, c->number);
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
      if (a.second.empty() != b.second.empty()) return a.second.empty();
      return a.first->number < b.first->number;
    });
    const std::size_t keep = std::min<std::size_t>(ordered.size(), static_cast<std::size_t>(sp.replicas));
    std::sort(ordered.begin(), ordered.begin() + static_cast<std::ptrdiff_t>(keep),
              [](const auto& a, const auto& b) { return a.first->number < b.first->number; });  // steps in number order
    for (std::size_t i = 0; i < keep; ++i) {
      const ExistingContainer& c = *ordered[i].first;
      const std::string& why = ordered[i].second;
      if (!why.empty()) {
        out.steps.push_back({StepKind::Recreate, sp.name, c.number, sp.desired(c.number).name, c.id, why});
        recreated.insert(sp.name);
      } else if (dependency_restarted && !options.no_recreate) {
        // As docker compose: stopped while the dependency is recreated (the converge step does
        // that), started again after it, not recreated.
        out.steps.push_back({StepKind::Start, sp.name, c.number, c.name, c.id, "dependency recreated"});
      } else if (c.status != "running") {
        out.steps.push_back({StepKind::Start, sp.name, c.number, c.name, c.id, c.status});
      } else {
        out.steps.push_back({StepKind::Keep, sp.name, c.number, c.name, c.id, "up to date"});
      }
    }
    for (int n = highest + 1; n <= highest + sp.replicas - static_cast<int>(keep); ++n)
      out.steps.push_back({StepKind::Create, sp.name, n, sp.desired(n).name, "", "missing"});
    // Scale down: what is left over goes, the highest numbers first.
    std::vector<const ExistingContainer*> extra;
    for (std::size_t i = keep; i < ordered.size(); ++i) extra.push_back(ordered[i].first);
    std::sort(extra.begin(), extra.end(), [](auto* a, auto* b) { return a->number > b->number; });
    for (auto* c : extra)
      out.steps.push_back({StepKind::Remove, sp.name, c->number, c->name, c->id,
                           "scale " + std::to_string(have.size()) + " → " + std::to_string(sp.replicas)});
  }

  for (const auto& [service, have] : by_service) {
    if (model_services.count(service) || options.ignore_orphans) continue;
    for (auto* c : have) {
      if (options.remove_orphans) out.steps.push_back({StepKind::Remove, service, c->number, c->name, c->id, "orphan"});
      else out.orphans.push_back(c->name);
    }
  }
  // As docker compose's isOrphaned: a one-off container that exited is an orphan too.
  if (!options.ignore_orphans)
    for (const auto& c : existing) {
      if (!c.oneoff || c.status != "stopped") continue;
      if (options.remove_orphans) out.steps.push_back({StepKind::Remove, c.service, c.number, c.name, c.id, "orphan"});
      else out.orphans.push_back(c.name);
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
