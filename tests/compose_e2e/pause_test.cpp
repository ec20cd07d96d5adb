// docker compose pkg/e2e/pause_test.go: pause and unpause one service; pausing what does not
// run, or does not exist, is no error; pausing a paused container is the engine's error.
// Upstream reaches nginx over HTTP to tell a paused container; here ps tells its state.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kPause = R"(services:
  a:
    image: busybox:test
    command: ["sleep", "1000"]
  b:
    image: busybox:test
    command: ["sleep", "1000"]
)";

// Upstream drives these with COMPOSE_PROJECT_NAME and COMPOSE_FILE from elsewhere.
Cli pause_cli(const Project& p, const std::string& name) {
  return elsewhere(p, {{"COMPOSE_PROJECT_NAME", name}, {"COMPOSE_FILE", (p.dir / "compose.yaml").string()}});
}

}  // namespace

TEST_CASE("TestPause: a paused service is frozen, the other runs, unpause brings it back") {
  Project p(kPause, "e2e-pause");
  Cli c = pause_cli(p, "e2e-pause");
  c.ok({"up", "-d"});
  c.ok({"pause", "a"});
  auto ps = p.ps();
  CHECK(ps["e2e-pause-a-1"]["State"] == "paused");
  CHECK(ps["e2e-pause-b-1"]["State"] == "running");
  c.ok({"unpause", "a"});
  ps = p.ps();
  CHECK(ps["e2e-pause-a-1"]["State"] == "running");
  CHECK(ps["e2e-pause-b-1"]["State"] == "running");
}

TEST_CASE("TestPauseServiceNotRunning: pausing a service without containers succeeds") {
  Project p(kPause, "e2e-pause-svc-not-running");
  auto res = pause_cli(p, "e2e-pause-svc-not-running").run({"pause", "a"});
  INFO(res.err);
  CHECK(res.exit_code == 0);
}

TEST_CASE("TestPauseServiceAlreadyPaused: the second pause fails with already paused") {
  Project p(kPause, "e2e-pause-svc-already-paused");
  Cli c = pause_cli(p, "e2e-pause-svc-already-paused");
  c.ok({"up", "-d", "a"});
  c.ok({"pause", "a"});
  auto res = c.run({"pause", "a"});
  INFO(res.err);
  CHECK(res.exit_code == 1);
  CHECK(res.err.find("already paused") != std::string::npos);
  c.ok({"unpause", "a"});
}

TEST_CASE("TestPauseServiceDoesNotExist: pausing a service the project does not have succeeds") {
  Project p(kPause, "e2e-pause-svc-not-exist");
  auto res = pause_cli(p, "e2e-pause-svc-not-exist").run({"pause", "does_not_exist"});
  INFO(res.err);
  CHECK(res.exit_code == 0);
}
