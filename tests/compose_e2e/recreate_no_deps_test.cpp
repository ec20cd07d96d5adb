// docker compose pkg/e2e/recreate_no_deps_test.go: `up -d --force-recreate --no-deps SERVICE`
// replaces that service's container and leaves its healthy dependency alone: same container,
// never restarted (upstream compares the id and StartedAt; here the id and the init's pid).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

TEST_CASE("TestRecreateWithNoDeps: force-recreate with --no-deps replaces only the service, not its healthy dependency") {
  Project p(R"(services:
  my-service:
    image: busybox:test
    command: ["sleep", "1000"]
    init: true
    depends_on:
      dep: {condition: service_healthy}

  dep:
    image: busybox:test
    command: ["sleep", "1000"]
    init: true
    healthcheck:
      test:     "true"
      interval: 2s
      timeout:  1s
      retries:  10
)", "e2e-recreate-with-no-deps");
  const std::string svc = "e2e-recreate-with-no-deps-my-service-1", dep = "e2e-recreate-with-no-deps-dep-1";
  auto up = p.run({"up", "-d", "--wait"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  auto before = p.ps();
  REQUIRE(before.count(svc));
  REQUIRE(before.count(dep));
  CHECK(before[svc]["State"] == "running");
  CHECK(before[dep]["Health"] == "healthy");
  const auto dep_pid = p.store().state(before[dep]["ID"].get<std::string>()).pid;
  CHECK(dep_pid > 0);

  auto again = p.run({"up", "-d", "--force-recreate", "--no-deps", "my-service"});
  INFO(combined(again));
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find(" Container " + svc + "  Recreated") != std::string::npos);
  CHECK(again.err.find(" Container " + dep + "  ") == std::string::npos);
  auto after = p.ps();
  REQUIRE(after.count(svc));
  REQUIRE(after.count(dep));
  CHECK(after[svc]["State"] == "running");
  CHECK(after[svc]["ID"] != before[svc]["ID"]);
  CHECK(after[dep]["ID"] == before[dep]["ID"]);
  CHECK(after[dep]["State"] == "running");
  CHECK(p.store().state(after[dep]["ID"].get<std::string>()).pid == dep_pid);
}
