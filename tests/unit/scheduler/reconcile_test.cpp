// Plan + existing containers → up's steps: create, recreate (hash, --force-recreate),
// start (stopped, or a restart: true dependency recreated), keep, scale down highest first, orphans.
#include "mycompose/scheduler/reconcile.hpp"

#include "project_fixture.hpp"

using namespace scheduler_test;
using namespace mycompose::scheduler;

namespace {

const char* kApp = R"(services:
  web:
    image: nginx
    depends_on:
      api: {condition: service_started, restart: true}
  api:
    image: app
    deploy: {replicas: 2}
  worker:
    image: app
    depends_on: [api]
)";

std::set<std::string> all_services() { return {"web", "api", "worker"}; }

// One line per step: "<kind> <name> (<reason>)".
std::string steps(const Reconciliation& r) {
  static const char* kinds[] = {"create", "recreate", "start", "keep", "remove"};
  std::string out;
  for (const auto& s : r.steps) out += std::string(kinds[static_cast<int>(s.kind)]) + " " + s.name + " (" + s.reason + ")\n";
  return out;
}

// The containers a previous up of kApp left, all running with the current hashes.
std::vector<ExistingContainer> up_to_date(const Plan& p) {
  std::vector<ExistingContainer> out;
  for (const auto& s : p.services)
    for (const auto& c : s.containers) out.push_back({"id-" + c.name, c.name, s.name, c.number, s.config_hash, "running"});
  return out;
}

}  // namespace

TEST_CASE("reconcile: a first up creates every container in dependency order") {
  Plan p = make_plan(project(kApp));
  CHECK(steps(reconcile(p, all_services(), {})) ==
        "create shop-api-1 (missing)\ncreate shop-api-2 (missing)\ncreate shop-web-1 (missing)\ncreate shop-worker-1 (missing)\n");
}

TEST_CASE("reconcile: a second up with nothing changed keeps everything, starts what is stopped") {
  Plan p = make_plan(project(kApp));
  auto have = up_to_date(p);
  have[1].status = "stopped";
  CHECK(steps(reconcile(p, all_services(), have)) ==
        "keep shop-api-1 (up to date)\nstart shop-api-2 (stopped)\nkeep shop-web-1 (up to date)\nkeep shop-worker-1 (up to date)\n");
}

TEST_CASE("reconcile: a changed service is recreated, its dependents with restart: true only are started again") {
  Plan before = make_plan(project(kApp));
  std::string changed = kApp;
  changed.replace(changed.find("image: app"), 10, "image: app:2");
  Plan after = make_plan(project(changed));
  CHECK(steps(reconcile(after, all_services(), up_to_date(before))) ==
        "recreate shop-api-1 (config changed)\nrecreate shop-api-2 (config changed)\nstart shop-web-1 (dependency recreated)\n"
        "keep shop-worker-1 (up to date)\n");
  ReconcileOptions no;
  no.no_recreate = true;
  CHECK(steps(reconcile(after, all_services(), up_to_date(before), no)) ==
        "keep shop-api-1 (up to date)\nkeep shop-api-2 (up to date)\nkeep shop-web-1 (up to date)\nkeep shop-worker-1 (up to date)\n");
  ReconcileOptions force;
  force.force_recreate = true;
  CHECK(steps(reconcile(before, all_services(), up_to_date(before), force)).find("recreate shop-worker-1 (--force-recreate)") !=
        std::string::npos);
}

TEST_CASE("reconcile: --force-recreate with services named recreates those, their dependencies only when changed") {
  Plan p = make_plan(project(kApp), PlanOptions{{"web"}});
  ReconcileOptions force;
  force.force_recreate = true;
  force.named = {"web"};
  CHECK(steps(reconcile(p, all_services(), up_to_date(p), force)) ==
        "keep shop-api-1 (up to date)\nkeep shop-api-2 (up to date)\nrecreate shop-web-1 (--force-recreate)\n");
  // A changed dependency is still recreated (docker compose's default for dependencies: diverged).
  std::string changed = kApp;
  changed.replace(changed.find("image: app"), 10, "image: app:2");
  Plan after = make_plan(project(changed), PlanOptions{{"web"}});
  CHECK(steps(reconcile(after, all_services(), up_to_date(p), force)) ==
        "recreate shop-api-1 (config changed)\nrecreate shop-api-2 (config changed)\nrecreate shop-web-1 (--force-recreate)\n");
}

TEST_CASE("reconcile: --always-recreate-deps recreates the dependencies of the named services, not them") {
  Plan p = make_plan(project(kApp), PlanOptions{{"web"}});
  ReconcileOptions deps;
  deps.always_recreate_deps = true;
  deps.named = {"web"};
  CHECK(steps(reconcile(p, all_services(), up_to_date(p), deps)) ==
        "recreate shop-api-1 (--always-recreate-deps)\nrecreate shop-api-2 (--always-recreate-deps)\n"
        "start shop-web-1 (dependency recreated)\n");
  // Without a service named, no service is only a dependency: nothing changes (as docker compose).
  Plan all = make_plan(project(kApp));
  deps.named.clear();
  CHECK(steps(reconcile(all, all_services(), up_to_date(all), deps)).find("recreate") == std::string::npos);
  deps.named = {"web"};
  deps.no_recreate = true;
  CHECK(steps(reconcile(p, all_services(), up_to_date(p), deps)).find("recreate") == std::string::npos);
}

TEST_CASE("reconcile: scaling down removes the highest numbers first, up scales back") {
  PlanOptions five;
  five.scale = {{"api", 5}};
  auto have = up_to_date(make_plan(project(kApp), five));
  PlanOptions one;
  one.scale = {{"api", 1}};
  std::string s = steps(reconcile(make_plan(project(kApp), one), all_services(), have));
  CHECK(s.find("keep shop-api-1 (up to date)\nremove shop-api-5 (scale 5 → 1)\nremove shop-api-4 (scale 5 → 1)\n"
               "remove shop-api-3 (scale 5 → 1)\nremove shop-api-2 (scale 5 → 1)\n") == 0);
  CHECK(steps(reconcile(make_plan(project(kApp), five), all_services(), up_to_date(make_plan(project(kApp))))).find(
            "create shop-api-5 (missing)") != std::string::npos);
}

TEST_CASE("reconcile: orphans are reported, or removed with --remove-orphans, one-off containers are left alone") {
  Plan p = make_plan(project(kApp));
  auto have = up_to_date(p);
  have.push_back({"id-old", "shop-legacy-1", "legacy", 1, "h", "running"});
  have.push_back({"id-run", "shop-web-run-1", "web", 1, "h", "running", true});
  Reconciliation kept = reconcile(p, all_services(), have);
  CHECK(kept.orphans == std::vector<std::string>{"shop-legacy-1"});
  CHECK(orphan_warning(kept.orphans) ==
        "Found orphan containers ([shop-legacy-1]) for this project. If you removed or renamed this service in your compose file, "
        "you can run this command with the --remove-orphans flag to clean it up.");
  CHECK(steps(kept).find("shop-web-run-1") == std::string::npos);
  ReconcileOptions o;
  o.remove_orphans = true;
  Reconciliation removed = reconcile(p, all_services(), have, o);
  CHECK(removed.orphans.empty());
  CHECK(steps(removed).find("remove shop-legacy-1 (orphan)") != std::string::npos);
  // A service that exists but was not selected this time is not an orphan.
  PlanOptions only_api;
  only_api.services = {"api"};
  CHECK(reconcile(make_plan(project(kApp), only_api), all_services(), have).orphans == std::vector<std::string>{"shop-legacy-1"});
}

TEST_CASE("reconcile: a one-off container that exited is an orphan, of any service, as docker compose's isOrphaned") {
  Plan p = make_plan(project(kApp));
  auto have = up_to_date(p);
  have.push_back({"id-run", "shop-web-run-1", "web", 1, "h", "running", true});
  have.push_back({"id-done", "shop-web-run-2", "web", 1, "h", "stopped", true});
  CHECK(reconcile(p, all_services(), have).orphans == std::vector<std::string>{"shop-web-run-2"});
  ReconcileOptions o;
  o.remove_orphans = true;
  const std::string removed = steps(reconcile(p, all_services(), have, o));
  CHECK(removed.find("remove shop-web-run-2 (orphan)") != std::string::npos);
  CHECK(removed.find("shop-web-run-1") == std::string::npos);
}

TEST_CASE("reconcile: scaling down removes the outdated replicas first and keeps the others as they are") {
  PlanOptions four;
  four.scale = {{"api", 4}};
  auto have = up_to_date(make_plan(project(kApp), four));
  for (auto& c : have)
    if (c.service == "api" && c.number <= 2) c.image_id = "sha256:old";
  ReconcileOptions o;
  o.images = {{"api", "sha256:new"}};
  for (auto& c : have)
    if (c.service == "api" && c.number > 2) c.image_id = "sha256:new";
  PlanOptions two;
  two.scale = {{"api", 2}};
  const std::string s = steps(reconcile(make_plan(project(kApp), two), all_services(), have, o));
  CHECK(s.find("keep shop-api-3 (up to date)\nkeep shop-api-4 (up to date)\nremove shop-api-2 (scale 4 → 2)\n"
               "remove shop-api-1 (scale 4 → 2)\n") == 0);
  // --no-recreate: nothing is outdated, the highest numbers go.
  o.no_recreate = true;
  CHECK(steps(reconcile(make_plan(project(kApp), two), all_services(), have, o)).find(
            "keep shop-api-1 (up to date)\nkeep shop-api-2 (up to date)\nremove shop-api-4 (scale 4 → 2)\n"
            "remove shop-api-3 (scale 4 → 2)\n") == 0);
}

TEST_CASE("reconcile: scaling up numbers the new replicas after the highest one, never renumbering") {
  PlanOptions four;
  four.scale = {{"api", 4}};
  auto have = up_to_date(make_plan(project(kApp), four));
  std::erase_if(have, [](const ExistingContainer& c) { return c.service == "api" && c.number <= 2; });
  PlanOptions three;
  three.scale = {{"api", 3}};
  CHECK(steps(reconcile(make_plan(project(kApp), three), all_services(), have)).find(
            "keep shop-api-3 (up to date)\nkeep shop-api-4 (up to date)\ncreate shop-api-5 (missing)\n") == 0);
}
