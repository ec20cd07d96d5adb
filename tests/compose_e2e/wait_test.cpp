// docker compose pkg/e2e/wait_test.go: `wait SERVICE` by project name returns once the
// service's container has stopped; --down-project takes the project down then.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kWait = R"(services:
  faster:
    image: busybox:test
    command: ["sleep", "1"]
  slower:
    image: busybox:test
    command: ["sleep", "3"]
  infinity:
    image: busybox:test
    command: ["sleep", "1000"]
)";

}  // namespace

TEST_CASE("TestWaitOnFaster: wait for the short-lived service by project name") {
  Project p(kWait, "e2e-wait-faster");
  p.ok({"--project-name", "e2e-wait-faster", "up", "-d"});
  CHECK(elsewhere(p).ok({"--project-name", "e2e-wait-faster", "wait", "faster"}) == "0\n");
}

TEST_CASE("TestWaitOnSlower: wait for the slower service by project name") {
  Project p(kWait, "e2e-wait-slower");
  p.ok({"--project-name", "e2e-wait-slower", "up", "-d"});
  CHECK(elsewhere(p).ok({"--project-name", "e2e-wait-slower", "wait", "slower"}) == "0\n");
}

TEST_CASE("TestWaitOnInfinity: wait for a service that does not stop does not return") {
  Project p(kWait, "e2e-wait-infinity");
  p.ok({"--project-name", "e2e-wait-infinity", "up", "-d"});
  Background waiting(p, {"--project-name", "e2e-wait-infinity", "wait", "infinity"}, "wait-infinity");
  // Upstream gives it 7 s; here: it is still waiting once the slower service has stopped.
  CHECK(elsewhere(p).ok({"--project-name", "e2e-wait-infinity", "wait", "slower"}) == "0\n");
  CHECK(waiting.running());
  waiting.stop();
}

TEST_CASE("TestWaitAndDrop: wait --down-project removes the project once the service stops") {
  Project p(kWait, "e2e-wait-and-drop");
  p.ok({"--project-name", "e2e-wait-and-drop", "up", "-d"});
  elsewhere(p).ok({"--project-name", "e2e-wait-and-drop", "wait", "--down-project", "faster"});
  CHECK(p.store().list().empty());
}
