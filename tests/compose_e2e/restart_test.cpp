// docker compose pkg/e2e/restart_test.go: restart brings back a container that had exited,
// and restart by project name (COMPOSE_PROJECT_NAME, no compose file) of a service of a
// profile; TestRestartWithDependencies: restart of a service, and up recreating it, take its
// dependents with `restart: true` along, and only those.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

// The first run exits; once restarted (same container, its file kept) it stays up. (busybox:test
// has no /tmp, where upstream keeps the file.)
const char* kRestart = R"(services:
  restart:
    image: busybox:test
    command: ["sh", "-c", "if [ -f /restart.lock ]; then exec sleep 1000; fi; touch /restart.lock"]
  test:
    profiles: [test]
    image: busybox:test
    command: ["sleep", "1000"]
)";

}  // namespace

TEST_CASE("TestRestart: restart starts the exited container again, and it stays up") {
  const std::string name = "e2e-restart";
  Project p(kRestart, name);
  Cli bare = elsewhere(p);
  bare.ok({"--project-name", name, "down"});  // upstream makes sure nothing is there

  auto up = p.run({"--project-name", name, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container e2e-restart-restart-1  Started") != std::string::npos);
  REQUIRE(p.wait_state("e2e-restart-restart-1", "exited") == "exited");
  CHECK(matches(bare.ok({"--project-name", name, "ps", "-a"}), "e2e-restart-restart-1.+restart\\s+.+Exited.+"));

  auto restart = p.run({"--project-name", name, "restart"});
  INFO(combined(restart));
  REQUIRE(restart.exit_code == 0);
  // docker compose's restart words: Restarting, then Started.
  CHECK(pos(restart.err, " Container e2e-restart-restart-1  Restarting\n") < pos(restart.err, " Container e2e-restart-restart-1  Started\n"));
  CHECK(restart.err.find("Stopp") == std::string::npos);
  CHECK(p.wait_state("e2e-restart-restart-1", "running") == "running");
  CHECK(matches(bare.ok({"--project-name", name, "ps"}), "e2e-restart-restart-1.+restart\\s+.+Up.+"));
  bare.ok({"--project-name", name, "down"});
}

TEST_CASE("TestRestartWithProfiles: restart by COMPOSE_PROJECT_NAME of a service of an enabled profile") {
  const std::string name = "e2e-restart-profiles";
  Project p(kRestart, name);
  p.ok({"--profile", "test", "up", "-d"});
  auto res = elsewhere(p, {{"COMPOSE_PROJECT_NAME", name}}).run({"restart", "test"});
  INFO(combined(res));
  REQUIRE(res.exit_code == 0);
  CHECK(combined(res).find("Container e2e-restart-profiles-test-1  Started") != std::string::npos);
  elsewhere(p, {{"COMPOSE_PROJECT_NAME", name}}).ok({"down", "--remove-orphans", "-t", "0"});
}

namespace {

// fixtures/restart-test/compose-depends-on.yaml with busybox: nginx's healthcheck probes a
// busybox httpd instead.
const char* kDependsOn = R"(services:
  with-restart:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
    depends_on:
      nginx: {condition: service_healthy, restart: true}
  no-restart:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
    depends_on:
      nginx: {condition: service_healthy}
  nginx:
    image: busybox:test
    command: ["httpd", "-f", "-p", "80"]
    labels:
      TEST: ${LABEL:-test}
    healthcheck:
      test: "echo | nc -w 5 localhost 80"
      interval: 2s
      timeout: 1s
      retries: 10
)";

}  // namespace

TEST_CASE("TestRestartWithDependencies: restart and recreation of a service take its restart: true dependents along") {
  const std::string name = "e2e-restart-deps";
  Project p(kDependsOn, name);
  p.o.env["COMPOSE_PROJECT_NAME"] = name;
  p.ok({"up", "-d"});

  auto restart = p.run({"restart", "nginx"});
  const std::string out = combined(restart);
  INFO(out);
  REQUIRE(restart.exit_code == 0);
  CHECK(out.find("Container e2e-restart-deps-nginx-1  Restarting") != std::string::npos);
  CHECK(out.find("Container e2e-restart-deps-nginx-1  Healthy") != std::string::npos);
  CHECK(out.find("Container e2e-restart-deps-with-restart-1  Started") != std::string::npos);
  CHECK(out.find("no-restart") == std::string::npos);

  Cli recreate = p;
  recreate.o.env["LABEL"] = "recreate";
  auto up = recreate.run({"up", "-d"});
  const std::string upout = combined(up);
  INFO(upout);
  REQUIRE(up.exit_code == 0);
  CHECK(upout.find("Container e2e-restart-deps-with-restart-1  Stopped") != std::string::npos);
  CHECK(upout.find("Container e2e-restart-deps-nginx-1  Recreated") != std::string::npos);
  CHECK(upout.find("Container e2e-restart-deps-nginx-1  Healthy") != std::string::npos);
  CHECK(upout.find("Container e2e-restart-deps-with-restart-1  Started") != std::string::npos);
  CHECK(upout.find("Container e2e-restart-deps-no-restart-1  Running") != std::string::npos);
  recreate.ok({"down", "--remove-orphans", "-t", "0"});
}
