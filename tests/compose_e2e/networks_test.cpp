// docker compose's pkg/e2e/networks_test.go: TestNetworkConfigChanged. A network whose
// definition changed (here its ipam subnet) is removed and made again by `up`, and the
// containers on it come back on the new one: the same containers (upstream's NotRecreated),
// restarted with an address in the new subnet. And `interface_name` (no upstream test).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

// fixtures/network-test/compose.subnet.yaml with busybox for nginx.
const char* kSubnet = R"(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    networks:
      - test
networks:
  test:
    ipam:
      config:
        - subnet: ${SUBNET-172.99.0.0/16}
)";

std::string container_id(const Project& p, const std::string& name) {
  auto c = p.store().find(name);
  return c ? c->id : "";
}

}  // namespace

TEST_CASE("TestNetworkConfigChanged: a changed subnet remakes the network and moves the same container onto it") {
  Project p(kSubnet, "network-config-change");
  p.ok({"up", "-d"});
  REQUIRE(p.wait_state("network-config-change-test-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "test", "hostname", "-i"}).rfind("172.99.0.", 0) == 0);
  const std::string before = container_id(p, "network-config-change-test-1");

  Cli changed = p;
  changed.o.env["SUBNET"] = "192.168.0.0/16";
  auto up = changed.run({"up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(up.err.find(" Network network-config-change_test  Removed\n") != std::string::npos);
  CHECK(p.wait_state("network-config-change-test-1", "running") == "running");
  CHECK(container_id(p, "network-config-change-test-1") == before);  // not recreated
  CHECK(changed.ok({"exec", "-T", "test", "hostname", "-i"}).rfind("192.168.0.", 0) == 0);
  changed.ok({"down"});
}

// No upstream e2e test exercises `interface_name` (compose-spec's service network key, which
// docker compose passes to the engine as the endpoint's interface name): the name is checked
// here inside the container, next to the eth<n> default of the other network.
TEST_CASE("TestNetworkInterfaceName: a service network's interface_name names the interface in the container") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    networks:
      front:
        interface_name: frontside
      back: {}
networks:
  front: {}
  back: {}
)");
  p.ok({"up", "-d"});
  REQUIRE(p.wait_state("proj-test-1", "running") == "running");
  // /proc/net/dev: the interfaces of the reader's network namespace, one "name:" a line.
  const std::string links = p.ok({"exec", "-T", "test", "cat", "/proc/net/dev"});
  INFO(links);
  CHECK(matches(links, "(^|\\s)frontside:"));
  CHECK(matches(links, "(^|\\s)eth0:"));  // back: first by priority, then name
  CHECK_FALSE(matches(links, "(^|\\s)eth1:"));
  // The name survives a restart (the endpoint is made again from the service's definition).
  p.ok({"restart", "test"});
  REQUIRE(p.wait_state("proj-test-1", "running") == "running");
  CHECK(matches(p.ok({"exec", "-T", "test", "cat", "/proc/net/dev"}), "(^|\\s)frontside:"));
}
