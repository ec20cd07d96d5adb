// docker compose pkg/e2e/compose_up_test.go: up --wait with a one-shot service, --wait-timeout
// expiry, the exit code --exit-code-from gives (the service's own, or 143 for one the abort
// stopped), a published port range shared by replicas, and a container's stdout and stderr
// kept apart. TestLoggingDriver is left out: it needs a fluent-bit image and logging driver.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

TEST_CASE("TestUpWait: up --wait returns once the one-shot completed and the long-running service runs") {
  Project p(R"(services:
  oneshot:
    image: busybox:test
    command: ["echo", "hello world"]
  longrunning:
    image: busybox:test
    depends_on:
      oneshot:
        condition: service_completed_successfully
    command: ["sleep", "1000"]
)", "e2e-up-wait");
  auto r = p.run({"up", "--wait", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(combined(r).find("e2e-up-wait-oneshot-1") != std::string::npos);
  CHECK(p.wait_state("e2e-up-wait-longrunning-1", "running") == "running");
  CHECK(p.wait_state("e2e-up-wait-oneshot-1", "exited") == "exited");
}

TEST_CASE("TestUpWait: a one-shot that fails under --wait is docker compose's error") {
  Project p(R"(services:
  oneshot:
    image: busybox:test
    command: ["sh", "-c", "exit 3"]
  longrunning:
    image: busybox:test
    depends_on:
      oneshot:
        condition: service_completed_successfully
        required: false
    command: ["sleep", "1000"]
)", "e2e-up-wait-fail");
  auto r = p.run({"up", "--wait", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(combined(r).find("service \"oneshot\" didn't complete successfully: exit 3") != std::string::npos);
}

TEST_CASE("TestUpExitCodeFrom: up returns the selected service's exit code") {
  Project p(R"(services:
  failure:
    image: busybox:test
    command: ["sh", "-c", "exit 42"]
)", "e2e-exit-code-from");
  auto r = p.run({"up", "--menu=false", "--exit-code-from=failure", "failure"});
  INFO(combined(r));
  CHECK(r.exit_code == 42);
}

TEST_CASE("TestUpWaitTimeout: up --wait --wait-timeout fails once the timeout expires, the service still running") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    healthcheck:
      test: ["CMD", "sh", "-c", "exit 1"]
      interval: 10s
      retries: 30
      start_period: 60s
)", "e2e-up-wait-timeout");
  auto r = p.run({"up", "--wait", "--wait-timeout", "3", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(combined(r).find("application not healthy after 3s") != std::string::npos);
  CHECK(p.wait_state("e2e-up-wait-timeout-app-1", "running") == "running");
}

// upstream's fixtures/start-fail/start-depends_on-long-lived.yaml
const char* const kLongLived = R"(services:
  safe:
    image: busybox:test
    command: ["/bin/sh", "-c", "sleep 1000"]
  failure:
    image: busybox:test
    command: ["/bin/sh", "-c", "sleep 2 ; echo exiting ; exit 42"]
  test:
    image: busybox:test
    command: ["/bin/sh", "-c", "sleep 99999 ; echo tests are OK"]
    depends_on: [safe]
)";

TEST_CASE("TestUpExitCodeFromContainerKilled: --exit-code-from a service the abort stopped gives 143") {
  Project p(kLongLived, "e2e-exit-code-from-kill");
  auto r = p.run({"up", "--menu=false", "--exit-code-from=test"});
  INFO(combined(r));
  CHECK(r.exit_code == 143);
  p.ok({"down", "--remove-orphans", "-t", "0"});
}

TEST_CASE("TestPortRange: a published port range holds every replica, beside single ports") {
  Project p(R"(services:
  a:
    image: busybox:test
    command: ["httpd", "-f", "-p", "80"]
    scale: 5
    ports:
      - "6005-6015:80"
  b:
    image: busybox:test
    command: ["httpd", "-f", "-p", "80"]
    ports:
      - "6016:80"
  c:
    image: busybox:test
    command: ["httpd", "-f", "-p", "80"]
    ports:
      - "6017-6020:80"
)", "e2e-port-range");
  auto r = p.run({"up", "-d"});
  INFO(combined(r));
  REQUIRE(r.exit_code == 0);
  auto ps = p.ps();
  for (int i = 1; i <= 5; ++i) CHECK(p.wait_state("e2e-port-range-a-" + std::to_string(i), "running") == "running");
  CHECK(ps.count("e2e-port-range-a-6") == 0);
  CHECK(p.wait_state("e2e-port-range-b-1", "running") == "running");
  CHECK(p.wait_state("e2e-port-range-c-1", "running") == "running");
  p.ok({"down", "--remove-orphans", "-t", "0"});
}

TEST_CASE("TestStdoutStderr: foreground up relays a container's stdout to stdout and its stderr to stderr") {
  Project p(R"(services:
  stderr:
    image: busybox:test
    command: ["sh", "-c", "echo log to stdout; echo log to stderr >&2"]
)", "e2e-stdout-stderr");
  auto r = p.run({"up", "--menu=false"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("log to stdout") != std::string::npos);
  CHECK(r.err.find("log to stderr") != std::string::npos);
  CHECK(r.out.find("log to stderr") == std::string::npos);
}
