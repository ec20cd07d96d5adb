// docker compose pkg/e2e/cascade_test.go: --abort-on-container-exit stops the project on the
// first exit; --abort-on-container-failure only on the first non-zero one, whose code is up's;
// the exit of a one-off `run` container of the same service is no reason to abort.
#include <thread>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kCascade = R"(services:
  running:
    image: busybox:test
    command: ["sleep", "1000"]
    stop_grace_period: 1s
  exit:
    image: busybox:test
    command: ["sh", "-c", "true"]
    depends_on:
      running:
        condition: service_started
  fail:
    image: busybox:test
    command: ["sh", "-c", "exit 111"]
    depends_on:
      exit:
        condition: service_completed_successfully
)";

// Upstream's testdata/TestCascadeStop fixture as it is: `running` stops through `init: true`
// (the init passes SIGTERM on), and `fail` ends with the shell's `return 111`.
const char* kCascadeInit = R"(services:
  running:
    image: busybox:test
    command: sleep 1000
    init: true

  exit:
    image: busybox:test
    command: sh -c true
    depends_on:
      running:
        condition: service_started

  fail:
    image: busybox:test
    command: sh -c "return 111"
    depends_on:
      exit:
        condition: service_completed_successfully
)";

std::string combined_of(const Background& b) { return b.out() + b.err(); }

}  // namespace

TEST_CASE("TestCascadeStop: --abort-on-container-exit stops the project on the first exit, exit 0 without --exit-code-from") {
  Project p(kCascade, "e2e-cascade-stop");
  auto r = p.run({"up", "--abort-on-container-exit"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("exit-1 exited with code 0") != std::string::npos);
  CHECK(r.err.find("Aborting on container exit...") != std::string::npos);
  CHECK(p.wait_state("e2e-cascade-stop-running-1", "exited") == "exited");
}

TEST_CASE("TestCascadeFail: --abort-on-container-failure goes on past clean exits and aborts on the failure, with its code") {
  Project p(kCascade, "e2e-cascade-fail");
  auto r = p.run({"up", "--abort-on-container-failure"});
  INFO(combined(r));
  CHECK(r.exit_code == 111);
  CHECK(r.out.find("exit-1 exited with code 0") != std::string::npos);
  CHECK(r.out.find("fail-1 exited with code 111") != std::string::npos);
  CHECK(p.wait_state("e2e-cascade-fail-running-1", "exited") == "exited");
}

TEST_CASE("TestCascadeFail: --abort-on-container-failure and --abort-on-container-exit are refused together") {
  Project p(kCascade, "e2e-cascade-both");
  auto r = p.run({"up", "--abort-on-container-failure", "--abort-on-container-exit"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--abort-on-container-failure cannot be combined with --abort-on-container-exit") != std::string::npos);
  auto d = p.run({"up", "-d", "--abort-on-container-failure"});
  CHECK(d.exit_code == 1);
  CHECK(d.err.find("--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, "
                   "--attach-dependencies or --watch") != std::string::npos);
}

TEST_CASE("TestCascadeIgnoresOneOffContainer: a one-off run of the attached service exiting does not abort up") {
  // Upstream waits 3 s after the run; here `running` prints a marker once told to (after the
  // run), so up has seen the one-off's exit before it prints the marker.
  Project p(R"(services:
  running:
    image: busybox:test
    command: ["sh", "-c", "while true; do if [ -e /go ]; then busybox rm /go; echo after-the-one-off; fi; sleep 0.1; done"]
    stop_grace_period: 1s
)", "compose-e2e-cascade-oneoff");
  Background up(p, {"up", "--abort-on-container-exit", "--menu=false", "running"}, "up");
  bool attached = false;
  for (int i = 0; i < 600 && !attached; ++i) {
    attached = up.out().find("Attaching to running-1") != std::string::npos;
    if (!attached) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(up.out() << up.err());
  REQUIRE(attached);
  REQUIRE(p.wait_state("compose-e2e-cascade-oneoff-running-1", "running") == "running");

  p.ok({"run", "--rm", "--no-deps", "running", "sh", "-c", "true"});  // upstream's /bin/true
  p.ok({"exec", "-T", "running", "sh", "-c", "echo > /go"});
  bool marked = false;
  for (int i = 0; i < 600 && !marked; ++i) {
    marked = up.out().find("after-the-one-off") != std::string::npos;
    if (!marked) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(marked);
  CHECK(up.running());
  CHECK(combined_of(up).find("Aborting on container exit") == std::string::npos);
  CHECK(p.wait_state("compose-e2e-cascade-oneoff-running-1", "running") == "running");
  up.stop();
}

TEST_CASE("TestCascadeStop: with init: true on the running service, abort-on-container-exit leaves it exited") {
  Project p(kCascadeInit, "e2e-cascade-stop-init");
  auto r = p.run({"up", "--abort-on-container-exit"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("exit-1 exited with code 0") != std::string::npos);
  CHECK(p.wait_state("e2e-cascade-stop-init-running-1", "exited") == "exited");
}

TEST_CASE("TestCascadeFail: with init: true on the running service, the failure's code 111 is up's") {
  Project p(kCascadeInit, "e2e-cascade-fail-init");
  auto r = p.run({"up", "--abort-on-container-failure"});
  INFO(combined(r));
  CHECK(r.exit_code == 111);
  CHECK(r.out.find("exit-1 exited with code 0") != std::string::npos);
  CHECK(r.out.find("fail-1 exited with code 111") != std::string::npos);
  CHECK(p.wait_state("e2e-cascade-fail-init-running-1", "exited") == "exited");
}
