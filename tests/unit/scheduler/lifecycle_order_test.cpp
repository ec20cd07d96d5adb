// Which containers a lifecycle command acts on, in which order: records written to a temp
// root (no container runs), selected through Lifecycle::selected.
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "../../../engine/scheduler/lifecycle.hpp"
#include "mycompose/common/fs.hpp"
#include "project_fixture.hpp"

using namespace mycompose::scheduler;
namespace stdfs = std::filesystem;

namespace {

struct TempRoot {
  stdfs::path dir;
  TempRoot() {
    char tmpl[] = "/tmp/mycompose-lifecycle-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    dir = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  void add(const std::string& service, int number, bool oneoff = false, const std::string& project = "shop") {
    ContainerRecord r;
    r.id = std::string(63, '0') + std::to_string(count++);
    r.name = project + "-" + service + "-" + std::to_string(number) + (oneoff ? "-run" : "");
    r.project = project;
    r.service = service;
    r.number = number;
    r.labels["com.docker.compose.oneoff"] = oneoff ? "True" : "False";
    mycompose::fs::make_dirs(dir / "containers" / r.id, 0700);
    mycompose::fs::write_file_atomic(dir / "containers" / r.id / "container.json", r.to_json().dump(), 0600);
  }
  int count = 0;
};

std::vector<std::string> names(const std::vector<ContainerRecord>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.name);
  return out;
}

const char* kStack = R"(services:
  db: {image: busybox}
  api: {image: busybox, depends_on: [db]}
  web: {image: busybox, depends_on: [api]}
  cache: {image: busybox}
)";

}  // namespace

TEST_CASE("lifecycle order: dependencies first, dependents first in reverse, replicas by number") {
  TempRoot root;
  for (const char* s : {"web", "api", "db", "cache"}) root.add(s, 1);
  root.add("api", 2);
  root.add("db", 1, true);           // a one-off `run` container
  root.add("web", 1, false, "other");  // another project's
  const auto project = scheduler_test::project(kStack);
  ConvergeHooks hooks;
  ProjectState state(root.dir, project, hooks);
  Lifecycle life(state);

  // The plan decides the order among independent services; dependencies always come first.
  const auto order = names(life.selected({}, true, false));
  REQUIRE(order.size() == 5);
  auto at = [&](const std::string& n) { return std::find(order.begin(), order.end(), n) - order.begin(); };
  CHECK(at("shop-db-1") < at("shop-api-1"));
  CHECK(at("shop-api-1") + 1 == at("shop-api-2"));  // replicas by number, together
  CHECK(at("shop-api-2") < at("shop-web-1"));
  CHECK(at("shop-cache-1") < 5);
  auto reversed = names(life.selected({}, true, true));
  std::reverse(reversed.begin(), reversed.end());
  CHECK(reversed == order);
  // A named service with its dependencies (start, restart), or alone (stop, kill, pause).
  CHECK(names(life.selected({"api"}, true, false)) == std::vector<std::string>{"shop-db-1", "shop-api-1", "shop-api-2"});
  CHECK(names(life.selected({"api"}, false, false)) == std::vector<std::string>{"shop-api-1", "shop-api-2"});
  CHECK(names(life.selected({"db"}, false, false, true)) == std::vector<std::string>{"shop-db-1", "shop-db-1-run"});
  CHECK(scheduler_test::error_of([&] { life.selected({"nosuch"}, false, false); }) == "no such service: nosuch");
}

TEST_CASE("lifecycle order: containers of services no longer in the file come with all services, not with named ones") {
  TempRoot root;
  root.add("db", 1);
  root.add("old", 1);
  const auto project = scheduler_test::project("services:\n  db: {image: busybox}\n");
  ConvergeHooks hooks;
  ProjectState state(root.dir, project, hooks);
  Lifecycle life(state);
  CHECK(names(life.selected({}, false, false)) == std::vector<std::string>{"shop-db-1", "shop-old-1"});
  CHECK(names(life.selected({"db"}, false, false)) == std::vector<std::string>{"shop-db-1"});
}

TEST_CASE("lifecycle order: anonymous volumes are read from the container's spec") {
  TempRoot root;
  root.add("db", 1);
  ContainerStore store(root.dir);
  const std::string id = store.list().front().id, anon(64, 'a');
  const nlohmann::json spec = {{"mounts",
                                {{{"destination", "/data"}, {"source", (root.dir / "volumes" / anon / "_data").string()}},
                                 {{"destination", "/named"}, {"source", (root.dir / "volumes/shop_named/_data").string()}},
                                 {{"destination", "/etc/hosts"}, {"source", (root.dir / "containers" / id / "hosts").string()}}}}};
  mycompose::fs::write_file_atomic(root.dir / "containers" / id / "config.json", spec.dump(), 0600);
  CHECK(anonymous_volumes(store, id) == std::vector<std::string>{anon});
}
