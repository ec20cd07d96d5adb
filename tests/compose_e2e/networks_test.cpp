// docker compose's pkg/e2e/networks_test.go: TestNetworkConfigChanged. A network whose
// definition changed (here its ipam subnet) is removed and made again by `up`, and the
// containers on it come back on the new one: the same containers (upstream's NotRecreated),
// restarted with an address in the new subnet. And `interface_name` (no upstream test).
// Also TestNetworks (named and project networks, `port`, down removes them), TestNetworkAliases
// and TestNetworkLinks (an alias and a link resolve),
// TestIPAMConfig and TestMacAddress (read inside the container: we have no `docker inspect`),
// TestNetworkModes (run of a network_mode: service: service starts its provider) and
// TestNetworkRecreate. busybox httpd serves /www/index.html ("pong") where upstream has nginx.
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

TEST_CASE("TestNetworks: a project network and a named one are made by up, listed, and removed by down") {
  Project p(R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
    networks: [dbnet]
  words:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["8080:8080"]
    networks: [dbnet, servicenet]
  web:
    image: busybox:test
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    networks: [servicenet]
networks:
  dbnet:
  servicenet:
    name: microservices
)", "network-e2e");
  Cli c = elsewhere(p, {{"COMPOSE_PROJECT_NAME", "network-e2e"}, {"COMPOSE_FILE", (p.dir / "compose.yaml").string()}});
  c.ok({"down", "-t0", "-v"});
  c.ok({"up", "-d"});
  CHECK(c.ok({"ps"}).find("web") != std::string::npos);
  const std::string ls = c.ok({"network", "ls"});
  CHECK(ls.find("network-e2e_dbnet") != std::string::npos);
  CHECK(ls.find("microservices") != std::string::npos);
  CHECK(c.ok({"port", "words", "8080"}).find("0.0.0.0:8080") != std::string::npos);
  c.ok({"down", "-t0", "-v"});
  const std::string after = c.ok({"network", "ls"});
  CHECK(after.find("network-e2e") == std::string::npos);
  CHECK(after.find("microservices") == std::string::npos);
}

TEST_CASE("TestNetworkAliases: a network alias and a link name both reach the target service") {
  Project p(R"(services:
  container1:
    image: busybox:test
    command: ["sleep", "1000"]
    links:
      - container2:container
  container2:
    image: busybox:test
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    networks:
      default:
        aliases:
          - alias-of-container2
)", "e2e-network-aliases");
  p.ok({"up", "-d"});
  CHECK(p.ok({"exec", "-T", "container1", "wget", "-qO-", "http://alias-of-container2/"}).find("pong") != std::string::npos);
  CHECK(p.ok({"exec", "-T", "container1", "wget", "-qO-", "http://container/"}).find("pong") != std::string::npos);
}

// Upstream's fixture puts both services on `network_mode: bridge` (Docker's default bridge,
// where links are /etc/hosts entries); mycompose has no default bridge, so the services stay
// on the project's network here. A service with links and more keys after them once crashed
// the loader (depends_on added while its links were read).
TEST_CASE("TestNetworkLinks: a link and its alias resolve for the linking container") {
  Project p(R"(services:
  container1:
    image: busybox:test
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
  container2:
    image: busybox:test
    command: ["sleep", "1000"]
    links:
      - container1:web
)", "e2e-network-links");
  auto up = p.run({"up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(p.wait_state("e2e-network-links-container1-1", "running") == "running");
  CHECK(p.wait_state("e2e-network-links-container2-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "container2", "wget", "-qO-", "http://container1/"}).find("pong") != std::string::npos);
  CHECK(p.ok({"exec", "-T", "container2", "wget", "-qO-", "http://web/"}).find("pong") != std::string::npos);
  // The alias is the linking container's only: container1 does not know it.
  CHECK(p.run({"exec", "-T", "container1", "nslookup", "web"}).exit_code != 0);
}

TEST_CASE("TestIPAMConfig: a fixed ipv4_address is the container's address") {
  Project p(R"(services:
  foo:
    image: busybox:test
    command: ["sleep", "1000"]
    networks:
      default:
        ipv4_address: 10.1.0.100
networks:
  default:
    ipam:
      config:
        - subnet: 10.1.0.0/16
)", "e2e-ipam-config");
  p.ok({"up", "-d"});
  CHECK(p.wait_state("e2e-ipam-config-foo-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "foo", "hostname", "-i"}).find("10.1.0.100") != std::string::npos);
}

TEST_CASE("TestMacAddress: a declared mac_address is the address of the container's interface") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    mac_address: 00:e0:84:35:d0:e8
)", "e2e-mac-address");
  p.ok({"up", "-d"});
  CHECK(p.wait_state("e2e-mac-address-test-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "test", "busybox", "ip", "link", "show", "eth0"}).find("00:e0:84:35:d0:e8") != std::string::npos);
}

TEST_CASE("TestNetworkModes: run of a service on network_mode: service:db starts db and shares its network") {
  Project p(R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
  mydb:
    image: busybox:test
    network_mode: "service:db"
)", "network_mode_service_run");
  auto r = p.run({"run", "-T", "mydb", "echo", "success"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("success") != std::string::npos);
  CHECK(p.wait_state("network_mode_service_run-db-1", "running") == "running");
}

TEST_CASE("TestNetworkRecreate: a network whose labels changed is remade, its containers stopped and started again") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    networks: [test]
networks:
  test:
    labels:
      - foo=${FOO:-foo}
)", "network_recreate");
  p.ok({"up", "-d"});
  Cli c = p;
  c.o.env["FOO"] = "bar";
  auto r = c.run({"--progress=plain", "up", "-d"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("Stopped") != std::string::npos);
  CHECK((r.err.find("Started") != std::string::npos || r.err.find("Recreated") != std::string::npos));
}
