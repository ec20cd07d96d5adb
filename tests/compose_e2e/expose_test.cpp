// docker compose pkg/e2e/expose_test.go: a port range in `expose` is accepted (docker/compose
// issue 13378: it used to fail container creation). Upstream's alpine runs its default shell,
// which exits at once; busybox:test has no default command, so the service echoes and exits.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

TEST_CASE("TestExposeRange: up creates and runs a service with a port range in expose") {
  Project p(R"(name: test-expose-range
services:
  test:
    image: busybox:test
    command: ["echo", "exposed"]
    expose:
      - "9091-9092"
)",
            "test-expose-range");
  auto r = p.run({"-f", "compose.yaml", "up"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("exposed") != std::string::npos);
  CHECK(p.wait_state("test-expose-range-test-1", "exited") == "exited");
}

// Not asserted upstream, seen on the same service: docker compose's ps lists exposed ports
// of a running container (the engine's port list holds them without a host port), the range
// grouped by docker's DisplayablePorts, and one Publisher per port with PublishedPort 0.
TEST_CASE("TestExposeRange: ps shows the exposed range of a running container as 9091-9092/tcp") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    expose:
      - "9091-9092"
)",
            "test-expose-range");
  p.ok({"up", "-d"});
  REQUIRE(p.wait_state("test-expose-range-test-1", "running") == "running");
  auto c = p.ps()["test-expose-range-test-1"];
  INFO(c.dump());
  CHECK(c["Ports"] == "9091-9092/tcp");
  REQUIRE(c["Publishers"].size() == 2u);
  CHECK(c["Publishers"][0]["TargetPort"] == 9091);
  CHECK(c["Publishers"][0]["PublishedPort"] == 0);
  CHECK(c["Publishers"][0]["Protocol"] == "tcp");
  CHECK(c["Publishers"][1]["TargetPort"] == 9092);
  auto table = p.run({"ps"});
  CHECK(table.out.find("9091-9092/tcp") != std::string::npos);
}
