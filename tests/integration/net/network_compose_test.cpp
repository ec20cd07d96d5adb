// The resolved Compose model (as `config --format json` prints it) → network and endpoint
// specs. The JSON is produced by our own `mycompose config`, so the two stay in step.
#include <catch2/catch.hpp>

#include <fstream>

#include "mycompose/common/error.hpp"
#include "mycompose/net/network.hpp"
#include "network_test_support.hpp"

using namespace mycompose;
using Catch::Matchers::Equals;

namespace {
nlohmann::json resolved_project(const std::string& yaml) {
  char tmpl[] = "/tmp/mycompose-netcfg-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  std::filesystem::path dir = tmpl;
  std::ofstream(dir / "compose.yaml") << yaml;
  test::RunOptions o;
  o.cwd = dir.string();
  auto r = test::run_mycompose({"config", "--format", "json"}, o);
  std::filesystem::remove_all(dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}
}  // namespace

TEST_CASE("network compose: top-level networks become specs") {
  auto p = resolved_project(R"(name: demo
services:
  web:
    image: busybox
    networks: [front, back, shared]
networks:
  front:
    driver_opts: {com.docker.network.driver.mtu: "1400"}
    labels: {team: web}
    ipam:
      config:
        - subnet: 10.77.0.0/24
          ip_range: 10.77.0.128/25
          gateway: 10.77.0.1
          aux_addresses: {router: 10.77.0.2}
  back:
    internal: true
  shared:
    external: true
    name: other_net
)");
  auto front = net::network_spec_from_compose("demo", "front", p["networks"]["front"]);
  CHECK(front.name == "demo_front");
  CHECK(front.driver == "bridge");
  CHECK(front.driver_opts.at("com.docker.network.driver.mtu") == "1400");
  CHECK(front.labels.at("team") == "web");
  CHECK(front.labels.at("com.docker.compose.network") == "front");
  CHECK(front.labels.at("com.docker.compose.project") == "demo");
  REQUIRE(front.ipam.size() == 1);
  CHECK(front.ipam[0].subnet == "10.77.0.0/24");
  CHECK(front.ipam[0].ip_range == "10.77.0.128/25");
  CHECK(front.ipam[0].gateway == "10.77.0.1");
  CHECK(front.ipam[0].aux_addresses.at("router") == "10.77.0.2");
  CHECK(net::network_spec_from_compose("demo", "back", p["networks"]["back"]).internal);
  auto shared = net::network_spec_from_compose("demo", "shared", p["networks"]["shared"]);
  CHECK(shared.name == "other_net");
  CHECK(shared.external);
  CHECK(shared.labels.count("com.docker.compose.project") == 0);
  CHECK_THROWS_WITH(net::network_spec_from_compose("demo", "x", {{"ipam", {{"driver", "dhcp"}}}}),
                    Equals("network demo_x: ipam driver \"dhcp\" is not supported (only default)"));
}

TEST_CASE("network compose: a service's networks in attach order with their endpoint settings") {
  auto p = resolved_project(R"(name: demo
services:
  plain:
    image: busybox
  web:
    image: busybox
    mac_address: 02:42:ac:11:00:09
    networks:
      zeta: {}
      alpha:
        aliases: [www, site]
      high:
        priority: 10
        ipv4_address: 10.77.0.5
networks:
  zeta: {}
  alpha: {}
  high:
    ipam: {config: [{subnet: 10.77.0.0/24}]}
)");
  auto plain = net::service_attachments(p["services"]["plain"]);
  REQUIRE(plain.size() == 1);
  CHECK(plain[0].network_key == "default");
  CHECK(plain[0].endpoint.interface_index == 0);

  auto web = net::service_attachments(p["services"]["web"]);
  REQUIRE(web.size() == 3);
  CHECK(web[0].network_key == "high");
  CHECK(web[0].endpoint.ipv4_address == "10.77.0.5");
  CHECK(web[0].endpoint.mac_address == "02:42:ac:11:00:09");
  CHECK(web[1].network_key == "alpha");
  CHECK(web[1].endpoint.aliases == std::vector<std::string>{"www", "site"});
  CHECK(web[1].endpoint.mac_address.empty());
  CHECK(web[1].endpoint.interface_index == 1);
  CHECK(web[2].network_key == "zeta");
  CHECK(web[2].endpoint.interface_index == 2);
}
