// docker compose pkg/e2e/cascade_test.go: --abort-on-container-exit stops the project on the
// first exit; --abort-on-container-failure only on the first non-zero one, whose code is up's.
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
