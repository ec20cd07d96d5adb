// Project → plan: container names and labels, replicas, dependency order, selection, errors.
#include "mycompose/scheduler/plan.hpp"

#include "project_fixture.hpp"

using namespace scheduler_test;
using mycompose::scheduler::make_plan;
using mycompose::scheduler::Plan;
using mycompose::scheduler::PlanOptions;

namespace {

std::string order(const Plan& p) {
  std::string out;
  for (const auto& s : p.services) out += (out.empty() ? "" : " ") + s.name;
  return out;
}

const char* kShop = R"(services:
  web:
    image: nginx
    depends_on:
      api: {condition: service_healthy, restart: true}
  api:
    image: app
    depends_on: [db, cache]
    deploy: {replicas: 3}
    labels: {team: payments}
  db:
    image: mariadb
    container_name: shop-database
  cache:
    image: redis
  tools:
    image: busybox
)";

}  // namespace

TEST_CASE("plan: dependencies come before their dependents, ties by name") {
  Plan p = make_plan(project(kShop));
  CHECK(order(p) == "cache db api tools web");
}

TEST_CASE("plan: replicas, names and Compose's labels") {
  Plan p = make_plan(project(kShop));
  const auto* api = p.find("api");
  REQUIRE(api);
  REQUIRE(api->containers.size() == 3);
  CHECK(api->containers[0].name == "shop-api-1");
  CHECK(api->containers[2].name == "shop-api-3");
  const auto& l = api->containers[2].labels;
  CHECK(l.at("com.docker.compose.project") == "shop");
  CHECK(l.at("com.docker.compose.service") == "api");
  CHECK(l.at("com.docker.compose.container-number") == "3");
  CHECK(l.at("com.docker.compose.oneoff") == "False");
  CHECK(l.at("com.docker.compose.project.working_dir") == "/srv/shop");
  CHECK(l.at("com.docker.compose.project.config_files") == "/srv/shop/compose.yaml");
  CHECK(l.at("com.docker.compose.depends_on") == "cache:service_started:false,db:service_started:false");
  CHECK(l.at("com.docker.compose.image") == "app");
  CHECK(l.at("com.docker.compose.config-hash") == api->config_hash);
  CHECK(api->config_hash.size() == 64);
  CHECK(l.at("team") == "payments");
  CHECK(p.find("db")->containers.at(0).name == "shop-database");
  CHECK(p.find("web")->depends_on.at(0).restart);
}

TEST_CASE("plan: --scale overrides deploy.replicas, and 0 plans no container") {
  PlanOptions o;
  o.scale = {{"api", 1}, {"cache", 0}};
  Plan p = make_plan(project(kShop), o);
  CHECK(p.find("api")->containers.size() == 1);
  CHECK(p.find("cache")->containers.empty());
}

TEST_CASE("plan: named services bring their dependencies unless --no-deps") {
  PlanOptions o;
  o.services = {"api"};
  CHECK(order(make_plan(project(kShop), o)) == "cache db api");
  o.no_deps = true;
  CHECK(order(make_plan(project(kShop), o)) == "api");
}

TEST_CASE("plan: the config hash changes with the service and only with it") {
  Plan a = make_plan(project(kShop));
  std::string changed = kShop;
  changed.replace(changed.find("image: redis"), 12, "image: redis:7");
  Plan b = make_plan(project(changed));
  CHECK(a.find("cache")->config_hash != b.find("cache")->config_hash);
  CHECK(a.find("api")->config_hash == b.find("api")->config_hash);
}

TEST_CASE("plan: errors name the services involved") {
  // The loader reports cycles at their line; a model made elsewhere gets the same check here.
  auto cyclic = project("services:\n  a:\n    image: x\n  b:\n    image: x\n");
  cyclic.model["services"]["a"]["depends_on"] = {{"b", {{"condition", "service_started"}}}};
  cyclic.model["services"]["b"]["depends_on"] = {{"a", {{"condition", "service_started"}}}};
  CHECK(error_of([&] { make_plan(cyclic); }) == "dependency cycle detected: a -> b -> a");
  PlanOptions unknown;
  unknown.services = {"nope"};
  CHECK(error_of([&] { make_plan(project(kShop), unknown); }) == "no such service: nope");
  PlanOptions two;
  two.scale = {{"db", 2}};
  CHECK(error_of([&] { make_plan(project(kShop), two); }) ==
        "service \"db\": container_name \"shop-database\" cannot be used with 2 replicas: container names must be unique");
  PlanOptions negative;
  negative.scale = {{"db", -1}};
  CHECK(error_of([&] { make_plan(project(kShop), negative); }) == "service \"db\": scale must not be negative (-1)");
}
