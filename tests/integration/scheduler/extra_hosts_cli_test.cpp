// extra_hosts reach the container's /etc/hosts, "host-gateway" as the host's address on the
// container's network (Docker's is its bridge's); a malformed entry fails up naming it.
#include "cli_project_fixture.hpp"

using nlohmann::json;

TEST_CASE("extra_hosts: NAME=IP and host-gateway are in the container's /etc/hosts") {
  cli_project::Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    extra_hosts: ["db.example:10.1.2.3", "gw=host-gateway", "v6.example=[::1]"]
)");
  p.ok({"up", "-d"});
  const std::string hosts = p.ok({"exec", "-T", "app", "cat", "/etc/hosts"});
  auto inspect = json::parse(p.ok({"network", "inspect", "proj_default"}));
  const json& net = inspect.is_array() ? inspect.at(0) : inspect;
  const std::string gateway = net.at("IPAM").at("Config").at(0).at("Gateway").get<std::string>();
  INFO(hosts);
  CHECK(hosts.find("127.0.0.1\tlocalhost\n") != std::string::npos);
  CHECK(hosts.find("10.1.2.3\tdb.example\n") != std::string::npos);
  CHECK(hosts.find(gateway + "\tgw\n") != std::string::npos);
  CHECK(hosts.find("::1\tv6.example\n") != std::string::npos);
  p.finish();
}

TEST_CASE("extra_hosts: host-gateway without a network fails up, naming the service") {
  cli_project::Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    network_mode: none
    extra_hosts: ["gw=host-gateway"]
)");
  auto up = p.run({"up", "-d"});
  CHECK(up.exit_code != 0);
  CHECK(up.err.find("service \"app\": extra_hosts: gw=host-gateway: host-gateway needs the container on a network") !=
        std::string::npos);
  CHECK(p.ps().empty());
  p.finish();
}
