// network_mode → the OCI linux.namespaces entry the engine puts in config.json.
#include <catch2/catch.hpp>

#include "mycompose/net/network.hpp"
#include "mycompose/net/network_manager.hpp"
#include "network_test_support.hpp"

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

TEST_CASE("network_mode none: the namespace gets a working loopback and nothing else") {
  mycompose::test::TestNetns ns;
  mycompose::test::TcpEcho echo(ns, 7401);
  CHECK_FALSE(mycompose::test::tcp_echo_works(ns, "127.0.0.1", 7401));  // a new netns: lo is down
  bring_up_loopback(ns.ref());
  CHECK(mycompose::test::tcp_echo_works(ns, "127.0.0.1", 7401));
  CHECK_THROWS_WITH(bring_up_loopback(NetnsRef::of_pid(999999)),
                    Equals("open /proc/999999/ns/net: No such file or directory"));
}
