// docker compose pkg/e2e/start_fail_test.go: `up -d` fails when a service_healthy dependency
// turns unhealthy, and its dependent is left created, not started. The oldest upstream version
// asserts docker compose v2.1x's words (`container for service "fail" is unhealthy`); docker
// compose today (pkg/compose/convergence.go, waitDependencies) says
// `dependency failed to start: container <name> is unhealthy`, which is what this follows.
// fixtures/start-fail/start-depends_on-long-lived.yaml belongs to start_stop_test.go.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

TEST_CASE("TestStartFail: up -d fails on the unhealthy dependency and leaves its dependent created") {
  Project p(R"(services:
  fail:
    image: busybox:test
    command: ["sleep", "1000"]
    stop_grace_period: 1s
    healthcheck:
      test: "false"
      interval: 1s
      retries: 3
  depends:
    image: busybox:test
    command: ["sleep", "1000"]
    stop_grace_period: 1s
    depends_on:
      fail:
        condition: service_healthy
)", "e2e-start-fail");
  auto r = p.run({"--project-name", "e2e-start-fail", "up", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("dependency failed to start: container e2e-start-fail-fail-1 is unhealthy") != std::string::npos);
  auto ps = p.ps();
  REQUIRE(ps.count("e2e-start-fail-fail-1"));
  CHECK(ps["e2e-start-fail-fail-1"]["Health"] == "unhealthy");
  REQUIRE(ps.count("e2e-start-fail-depends-1"));
  CHECK(ps["e2e-start-fail-depends-1"]["State"] == "created");

  auto d = elsewhere(p).run({"--project-name", "e2e-start-fail", "down"});
  INFO(combined(d));
  CHECK(d.exit_code == 0);
  CHECK(p.ps().empty());
}
