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

// The rest of the engine's port list (moby's container list, read by docker compose ps): an
// image's EXPOSE is listed too, a port both exposed and published only by its binding, and a
// stopped container lists none.
TEST_CASE("TestExposeRange: ps lists the image's EXPOSE, a published exposed port once, none when stopped") {
  Project p(R"(services:
  web:
    build: .
    command: ["sleep", "1000"]
    expose:
      - "80"
      - "7000/udp"
    ports:
      - "127.0.0.1:18480:80"
)",
            "test-expose-image");
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\nEXPOSE 8080 8081 53/udp\n");
  auto up = p.run({"up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  REQUIRE(p.wait_state("test-expose-image-web-1", "running") == "running");
  auto c = p.ps()["test-expose-image-web-1"];
  INFO(c.dump());
  CHECK(c["Ports"] == "53/udp, 7000/udp, 8080-8081/tcp, 127.0.0.1:18480->80/tcp");
  REQUIRE(c["Publishers"].size() == 5u);
  CHECK(c["Publishers"][0]["TargetPort"] == 53);
  CHECK(c["Publishers"][1]["TargetPort"] == 80);
  CHECK(c["Publishers"][1]["PublishedPort"] == 18480);
  CHECK(c["Publishers"][1]["URL"] == "127.0.0.1");
  CHECK(c["Publishers"][2]["TargetPort"] == 7000);
  CHECK(c["Publishers"][2]["Protocol"] == "udp");
  CHECK(c["Publishers"][3]["TargetPort"] == 8080);
  CHECK(c["Publishers"][3]["URL"] == "");
  CHECK(c["Publishers"][4]["TargetPort"] == 8081);

  p.ok({"stop", "-t", "0"});
  auto s = p.ps()["test-expose-image-web-1"];
  INFO(s.dump());
  CHECK(s["State"] == "exited");
  CHECK(s["Ports"] == "");
  CHECK(s["Publishers"].empty());
}
