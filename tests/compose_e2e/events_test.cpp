// docker compose pkg/e2e/events_test.go: events for a service the file does not have fails
// at once instead of waiting for events that never come.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

TEST_CASE("TestEventsUnknownService: events of an unknown service is an error, exit 1") {
  Project p(R"(services:
  simple:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  Cli c = p;  // the project's folder
  c.o.timeout_seconds = 10;  // upstream's bound: a follower that never returns fails here
  auto res = c.run({"-f", (p.dir / "compose.yaml").string(), "events", "not-a-service"});
  INFO(res.err);
  CHECK(res.exit_code == 1);
  CHECK(res.err.find("no such service: not-a-service") != std::string::npos);
}
