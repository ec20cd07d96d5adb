// docker compose's words for failures the user meets in up, restart and pause (issue 16):
// what a dependency that failed says, the --wait-timeout expiry, a failed one-shot, an
// already paused container. Each message is compared as docker compose prints it.
#include "cli_project_fixture.hpp"

using namespace cli_project;

TEST_CASE("compose messages: a dependency that exits before it is healthy fails up with docker compose's words") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on: {db: {condition: service_healthy}}
  db:
    image: busybox:test
    command: ["sh", "-c", "exit 1"]
    healthcheck: {test: ["CMD", "true"], interval: 100ms}
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  CHECK(up.exit_code == 1);
  CHECK(up.err.find("error: dependency failed to start: container proj-db-1 exited (1)\n") != std::string::npos);
}

TEST_CASE("compose messages: a failed one-shot dependency is reported as docker compose does, without a prefix") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on: {job: {condition: service_completed_successfully}}
  job:
    image: busybox:test
    command: ["sh", "-c", "exit 3"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  CHECK(up.exit_code == 1);
  CHECK(up.err.find("error: service \"job\" didn't complete successfully: exit 3\n") != std::string::npos);
  CHECK(up.err.find("dependency failed to start") == std::string::npos);
}

TEST_CASE("compose messages: --wait-timeout expiry is docker compose's 'application not healthy after'") {
  Project p(R"(services:
  slow:
    image: busybox:test
    command: ["sleep", "1000"]
    healthcheck: {test: ["CMD", "false"], interval: 10s, retries: 100, start_period: 1h}
)");
  auto up = p.run({"up", "-d", "--wait", "--wait-timeout", "1"});
  INFO(up.err);
  CHECK(up.exit_code == 1);
  CHECK(up.err.find("error: application not healthy after 1s\n") != std::string::npos);
}

TEST_CASE("compose messages: pausing a paused container is an error naming it, exit 1") {
  Project p(R"(services:
  a:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  p.ok({"up", "-d"});
  p.ok({"pause", "a"});
  auto again = p.run({"pause", "a"});
  CHECK(again.exit_code == 1);
  const std::string id = p.ps()["proj-a-1"]["ID"];
  CHECK(again.err == "error: container " + id + " is already paused\n");
  p.ok({"unpause"});
}
