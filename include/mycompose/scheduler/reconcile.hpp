#pragma once
// Plan + the containers that exist → the steps `up` takes, as docker compose decides them:
// create what is missing, recreate what changed (config hash, image), restart (stop, then
// start) what depends with `restart: true` on something recreated, start what is stopped, remove the extra replicas
// and, with --remove-orphans, containers of services that are gone.
// Scaling as docker compose's convergence: the outdated replicas and then the highest numbers
// are the ones removed, the others are kept as they are (never renumbered), and new replicas
// take the numbers after the highest one that exists.
// Pure: the converge step executes the steps.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mycompose/scheduler/plan.hpp"

namespace mycompose::scheduler {

struct ExistingContainer {
  std::string id;
  std::string name;
  std::string service;
  int number = 1;
  std::string config_hash;
  std::string status;  // created | running | paused | stopped
  bool oneoff = false; // `run` containers: never touched by up
  std::string image_id;  // "sha256:…" it was created from; "" = unknown
  std::string stale;     // why it must be recreated whatever its hash says (its network made again…); "" = not
};

enum class StepKind { Create, Recreate, Start, Keep, Remove };

struct Step {
  StepKind kind;
  std::string service;
  int number = 0;
  std::string name;          // the container's (desired name for Create/Recreate)
  std::string container_id;  // the existing container (all but Create)
  std::string reason;        // why, for progress output and tests ("config changed", "scale 3 → 1", …)
};

struct ReconcileOptions {
  bool force_recreate = false;  // --force-recreate
  bool no_recreate = false;     // --no-recreate
  bool remove_orphans = false;  // --remove-orphans
  bool ignore_orphans = false;  // COMPOSE_IGNORE_ORPHANS: orphans neither removed nor warned about
  // --always-recreate-deps: as docker compose's RecreateDependencies, the services that are
  // in the plan only as dependencies of `named` are recreated too (a named one is not).
  bool always_recreate_deps = false;
  std::set<std::string> named;  // the services named on the command line; empty: all (so none is only a dependency)
  // Service → the image id its image reference names now; a container made from another one
  // is outdated (rebuilt, pulled). A service not here is judged by its config hash only.
  std::map<std::string, std::string> images;
};

struct Reconciliation {
  std::vector<Step> steps;            // services in plan order; removals of a service after its other steps
  std::vector<std::string> orphans;   // names of orphan containers left alone (for the warning)
};

// model_services: every service the project defines (a container of a service that is only
// not selected this time is not an orphan).
Reconciliation reconcile(const Plan& plan, const std::set<std::string>& model_services,
                         const std::vector<ExistingContainer>& existing, const ReconcileOptions& options = {});

// docker compose's warning for orphans, "" when there are none.
std::string orphan_warning(const std::vector<std::string>& orphans);

}  // namespace mycompose::scheduler
