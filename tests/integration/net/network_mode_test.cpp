// network_mode → the OCI linux.namespaces entry the engine puts in config.json.
#include <catch2/catch.hpp>

#include "mycompose/net/network.hpp"

using namespace mycompose::net;
using Catch::Matchers::Equals;

TEST_CASE("network_mode: host shares the host's namespace, bridge and none get a new one") {
  CHECK_FALSE(oci_network_namespace(parse_network_mode("host")).has_value());
  CHECK(*oci_network_namespace(parse_network_mode("none")) == nlohmann::json{{"type", "network"}});
  CHECK(*oci_network_namespace(parse_network_mode("")) == nlohmann::json{{"type", "network"}});
  CHECK(*oci_network_namespace(parse_network_mode("bridge")) == nlohmann::json{{"type", "network"}});
}

TEST_CASE("network_mode: container: and service: join a namespace by path") {
  auto m = parse_network_mode("service:db");
  CHECK(m.kind == NetworkMode::Kind::Service);
  CHECK(m.target == "db");
  CHECK(*oci_network_namespace(m, "/proc/42/ns/net") ==
        nlohmann::json{{"type", "network"}, {"path", "/proc/42/ns/net"}});
  auto c = parse_network_mode("container:proj-web-1");
  CHECK(c.kind == NetworkMode::Kind::Container);
  CHECK(c.target == "proj-web-1");
  CHECK_THROWS_WITH(oci_network_namespace(c),
                    Equals("network_mode container:proj-web-1: the network namespace to join is unknown (is it running?)"));
  CHECK_THROWS_WITH(parse_network_mode("service:"), Equals("network_mode \"service:\": missing name after ':'"));
  CHECK_THROWS_WITH(parse_network_mode("macvlan"),
                    Equals("network_mode \"macvlan\" is not supported (use bridge, host, none, container:NAME or service:NAME)"));
}
