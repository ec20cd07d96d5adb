// docker compose's pkg/e2e/scale_test.go, ported: `scale SERVICE=N` and `up --scale` add
// replicas after the highest number, remove the highest-numbered (or outdated) ones, and
// leave the others running as they are.
#include <catch2/catch.hpp>

#include <sstream>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {

// fixtures/scale/compose.yaml with busybox for nginx.
const char* kScale = R"(services:
  back:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on:
      - db
  db:
    image: busybox:test
    command: ["sleep", "1000"]
    environment:
      - MAYBE
  front:
    image: busybox:test
    command: ["sleep", "1000"]
    deploy:
      replicas: 2
  dbadmin:
    image: busybox:test
    command: ["sleep", "1000"]
    deploy:
      replicas: 0
)";

// As checkServiceContainer: the lines of `out` that name the container prefix and the state.
int count_lines(const std::string& out, const std::string& name, const std::string& state) {
  int n = 0;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (line.find(name) != std::string::npos && line.find(state) != std::string::npos) ++n;
  return n;
}

std::string combined(const mycompose::test::RunResult& r) { return r.out + r.err; }

// The names of the service's containers (ps -a), in name order, one a line.
std::string names_of(const Project& p, const std::string& service) {
  std::string out;
  for (const auto& [name, c] : p.ps())
    if (c.value("Service", "") == service) out += name + "\n";
  return out;
}

// The container's id, to tell a kept container from a recreated one.
std::string id_of(const Project& p, const std::string& name) {
  auto c = p.store().find(name);
  return c ? c->id : "";
}

}  // namespace

TEST_CASE("TestScaleBasicCases: scale up and down by service") {
  Project p(kScale);
  p.o.env["COMPOSE_PROJECT_NAME"] = "scale-basic-tests";
  p.ok({"up", "-d"});

  // scale up one service
  auto r = p.run({"scale", "dbadmin=2"});
  INFO(combined(r));
  REQUIRE(r.exit_code == 0);
  CHECK(count_lines(combined(r), "scale-basic-tests-dbadmin", "Started") == 2);

  // scale up 2 services
  const std::string front1 = id_of(p, "scale-basic-tests-front-1");
  r = p.run({"scale", "front=3", "back=2"});
  INFO(combined(r));
  REQUIRE(r.exit_code == 0);
  CHECK(count_lines(combined(r), "scale-basic-tests-front", "Running") == 2);
  CHECK(count_lines(combined(r), "scale-basic-tests-front", "Started") == 1);
  CHECK(count_lines(combined(r), "scale-basic-tests-back", "Running") == 1);
  CHECK(count_lines(combined(r), "scale-basic-tests-back", "Started") == 1);
  CHECK(id_of(p, "scale-basic-tests-front-1") == front1);

  // scale down one service
  r = p.run({"scale", "dbadmin=1"});
  INFO(combined(r));
  REQUIRE(r.exit_code == 0);
  CHECK(count_lines(combined(r), "scale-basic-tests-dbadmin", "Running") == 1);
  CHECK(names_of(p, "dbadmin") == "scale-basic-tests-dbadmin-1\n");

  // scale to 0 a service: nothing on stdout
  r = p.run({"scale", "dbadmin=0"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "");
  CHECK(names_of(p, "dbadmin") == "");

  // scale down 2 services: the highest numbers go, the rest keep running untouched
  r = p.run({"scale", "front=2", "back=1"});
  INFO(combined(r));
  REQUIRE(r.exit_code == 0);
  CHECK(count_lines(combined(r), "scale-basic-tests-front", "Running") == 2);
  CHECK(combined(r).find("Container scale-basic-tests-front-3  Running") == std::string::npos);
  CHECK(count_lines(combined(r), "scale-basic-tests-back", "Running") == 1);
  CHECK(names_of(p, "front") == "scale-basic-tests-front-1\nscale-basic-tests-front-2\n");
  CHECK(names_of(p, "back") == "scale-basic-tests-back-1\n");
  CHECK(id_of(p, "scale-basic-tests-front-1") == front1);
}

TEST_CASE("TestScaleWithDepsCases: scale with and without --no-deps") {
  Project p(kScale);
  p.o.env["COMPOSE_PROJECT_NAME"] = "scale-deps-tests";
  p.ok({"up", "-d", "--scale", "db=2"});
  CHECK(names_of(p, "db") == "scale-deps-tests-db-1\nscale-deps-tests-db-2\n");

  // --no-deps: db keeps the 2 replicas --scale gave it
  p.ok({"scale", "--no-deps", "back=2"});
  CHECK(names_of(p, "back") == "scale-deps-tests-back-1\nscale-deps-tests-back-2\n");
  CHECK(names_of(p, "db") == "scale-deps-tests-db-1\nscale-deps-tests-db-2\n");

  // without it, db is converged to the file's scale (1)
  p.ok({"scale", "back=2"});
  CHECK(names_of(p, "back") == "scale-deps-tests-back-1\nscale-deps-tests-back-2\n");
  CHECK(names_of(p, "db") == "scale-deps-tests-db-1\n");
}

TEST_CASE("TestScaleUpAndDownPreserveContainerNumber: scale down removes replica #2, scale up restores it") {
  Project p(kScale);
  p.o.env["COMPOSE_PROJECT_NAME"] = "scale-up-down-test";
  p.ok({"up", "-d", "--scale", "db=2", "db"});
  CHECK(names_of(p, "db") == "scale-up-down-test-db-1\nscale-up-down-test-db-2\n");
  const std::string db1 = id_of(p, "scale-up-down-test-db-1");

  p.ok({"up", "-d", "--scale", "db=1", "db"});
  CHECK(names_of(p, "db") == "scale-up-down-test-db-1\n");
  CHECK(id_of(p, "scale-up-down-test-db-1") == db1);

  p.ok({"up", "-d", "--scale", "db=2", "db"});
  CHECK(names_of(p, "db") == "scale-up-down-test-db-1\nscale-up-down-test-db-2\n");
  CHECK(id_of(p, "scale-up-down-test-db-1") == db1);
}

TEST_CASE("TestScaleDownRemovesObsolete: scale down keeps the up-to-date replicas") {
  Project p(kScale);
  p.o.env["COMPOSE_PROJECT_NAME"] = "scale-down-obsolete-test";
  p.ok({"up", "-d", "db"});
  CHECK(names_of(p, "db") == "scale-down-obsolete-test-db-1\n");

  p.o.env["MAYBE"] = "value";
  p.ok({"up", "-d", "--scale", "db=2", "db"});
  CHECK(names_of(p, "db") == "scale-down-obsolete-test-db-1\nscale-down-obsolete-test-db-2\n");

  p.ok({"up", "-d", "--scale", "db=1", "db"});
  CHECK(names_of(p, "db") == "scale-down-obsolete-test-db-1\n");
}

TEST_CASE("TestScaleDownNoRecreate: scale down removes the outdated replicas, not the newest") {
  Project p(R"(services:
  test:
    build: .
    command: ["sleep", "1000"]
)");
  p.o.env["COMPOSE_PROJECT_NAME"] = "scale-down-recreated-test";
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\nARG FOO\nLABEL FOO=$FOO\n");
  p.ok({"build", "--build-arg", "FOO=test"});
  p.ok({"up", "-d", "--scale", "test=2"});

  p.ok({"build", "--build-arg", "FOO=updated"});
  p.ok({"up", "-d", "--scale", "test=4", "--no-recreate"});
  const std::string all4 = "scale-down-recreated-test-test-1\nscale-down-recreated-test-test-2\n"
                           "scale-down-recreated-test-test-3\nscale-down-recreated-test-test-4\n";
  CHECK(names_of(p, "test") == all4);
  const std::string t3 = id_of(p, "scale-down-recreated-test-test-3"), t4 = id_of(p, "scale-down-recreated-test-test-4");

  // 1 and 2 run the old image: they go, 3 and 4 stay as they are.
  p.ok({"up", "-d", "--scale", "test=2"});
  CHECK(names_of(p, "test") == "scale-down-recreated-test-test-3\nscale-down-recreated-test-test-4\n");
  CHECK(id_of(p, "scale-down-recreated-test-test-3") == t3);
  CHECK(id_of(p, "scale-down-recreated-test-test-4") == t4);
}
