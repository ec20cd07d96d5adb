// docker compose pkg/e2e/compose_up_test.go: up --wait with a one-shot service, and the exit
// code --exit-code-from gives. TestUpWaitTimeout, TestPortRange, TestStdoutStderr and
// TestLoggingDriver (fluentbit) are covered elsewhere or need images we do not have.
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
