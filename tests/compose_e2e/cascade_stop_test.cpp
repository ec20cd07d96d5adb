// docker compose pkg/e2e/cascade_stop_test.go: `up --abort-on-container-exit` takes up's exit
// code from the first container to exit; `--exit-code-from=SERVICE` from that service's
// container, here one that is killed on the way down (137); an unknown service is refused.
// Upstream's `sleep` service runs `ping localhost`: a PID 1 without a SIGTERM handler, which the
// kernel does not let SIGTERM end, so docker compose's stop kills it after the grace period
// (exit 137). busybox `sleep` as the command is the same kind of PID 1; stop_grace_period 1s
// only shortens the wait.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kCascadeStop = R"(services:
  should_fail:
    image: busybox:test
    command: ["busybox", "ls", "/does_not_exist"]
  sleep:
    image: busybox:test
    command: ["sleep", "1000"]
    stop_grace_period: 1s
)";

}  // namespace

TEST_CASE("TestCascadeStop: abort-on-container-exit exits with the code of the first container to exit") {
  Project p(kCascadeStop, "e2e-cascade-stop");
  auto r = p.run({"--project-name", "e2e-cascade-stop", "up", "--abort-on-container-exit"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("should_fail-1 exited with code 1") != std::string::npos);
  CHECK(combined(r).find("Aborting on container exit...") != std::string::npos);
  CHECK(p.wait_state("e2e-cascade-stop-sleep-1", "exited") == "exited");
}

TEST_CASE("TestCascadeStop: exit-code-from an unknown service is refused") {
  Project p(kCascadeStop, "e2e-cascade-stop");
  auto r = p.run({"--project-name", "e2e-cascade-stop", "up", "--exit-code-from=unknown"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("no such service: unknown") != std::string::npos);
  CHECK(p.ps().empty());
}

TEST_CASE("TestCascadeStop: down by project name alone removes what up left") {
  Project p(kCascadeStop, "e2e-cascade-stop");
  p.run({"--project-name", "e2e-cascade-stop", "up", "--abort-on-container-exit"});
  auto d = elsewhere(p).run({"--project-name", "e2e-cascade-stop", "down"});
  INFO(combined(d));
  CHECK(d.exit_code == 0);
  CHECK(p.ps().empty());
}
