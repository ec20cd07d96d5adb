// /etc/hosts of a container: localhost lines, extra_hosts (host-gateway), own names.
#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/net/hosts_file.hpp"

using namespace mycompose::net;

TEST_CASE("hosts: extra_hosts forms, IPv6 and host-gateway") {
  auto entries = parse_extra_hosts({"db:10.0.0.5", "cache=10.0.0.6", "v6:::1", "v6b=[2001:db8::2]", "host.docker.internal:host-gateway"},
                                   "172.17.0.1");
  CHECK(entries == std::vector<HostsEntry>{{"10.0.0.5", {"db"}},
                                           {"10.0.0.6", {"cache"}},
                                           {"::1", {"v6"}},
                                           {"2001:db8::2", {"v6b"}},
                                           {"172.17.0.1", {"host.docker.internal"}}});
}

TEST_CASE("hosts: bad extra_hosts items name the item") {
  CHECK_THROWS_WITH(parse_extra_hosts({"nohost"}, ""), "extra_hosts: \"nohost\": expected HOST:IP or HOST=IP");
  CHECK_THROWS_WITH(parse_extra_hosts({":1.2.3.4"}, ""), "extra_hosts: \":1.2.3.4\": expected HOST:IP or HOST=IP");
  CHECK_THROWS_WITH(parse_extra_hosts({"db:10.0.0"}, ""), "extra_hosts: \"db:10.0.0\": invalid IP address \"10.0.0\"");
  CHECK_THROWS_WITH(parse_extra_hosts({"gw:host-gateway"}, ""),
                    "extra_hosts: \"gw:host-gateway\": host-gateway is not known (no default bridge gateway)");
}

TEST_CASE("hosts: container file in Docker's order") {
  ContainerHosts h;
  h.own = {{"172.18.0.3", {"web-1", "web"}}, {"172.19.0.2", {"web-1"}}};
  h.extra = parse_extra_hosts({"gw=host-gateway"}, "172.17.0.1");
  CHECK(container_hosts_file(h) ==
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\n"
        "ff02::1\tip6-allnodes\n"
        "ff02::2\tip6-allrouters\n"
        "172.17.0.1\tgw\n"
        "172.18.0.3\tweb-1 web\n"
        "172.19.0.2\tweb-1\n");
  h.ipv6 = false;
  h.extra.clear();
  CHECK(container_hosts_file(h) == "127.0.0.1\tlocalhost\n172.18.0.3\tweb-1 web\n172.19.0.2\tweb-1\n");
}

TEST_CASE("hosts: network_mode host appends extra_hosts to the host's file") {
  CHECK(host_network_hosts_file("127.0.0.1 localhost\n10.0.0.9 build", {{"10.0.0.5", {"db"}}}) ==
        "127.0.0.1 localhost\n10.0.0.9 build\n10.0.0.5\tdb\n");
}
