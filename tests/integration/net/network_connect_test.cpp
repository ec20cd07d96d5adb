// Endpoints on real bridges: containers (test network namespaces) on one network talk TCP;
// the endpoint carries its address, gateway, MAC and MTU into the namespace.
#include <catch2/catch.hpp>
#include <net/if.h>
#include <netlink/route/link.h>

#include "mycompose/common/error.hpp"
#include "mycompose/net/bridge.hpp"
#include "mycompose/net/veth.hpp"
#include "network_test_support.hpp"

using namespace mycompose;
using namespace mycompose::test;
using Catch::Matchers::Equals;

namespace {
struct LinkInfo {
  std::string mac;
  unsigned mtu = 0;
  bool up = false;
};
LinkInfo link_in(const TestNetns& ns, const std::string& name) {
  UniqueFd fd(open(ns.path().c_str(), O_RDONLY | O_CLOEXEC));
  auto nl = net::NetlinkSocket::in_netns(fd.get(), "test netns");
  rtnl_link* link = nullptr;
  if (rtnl_link_get_kernel(nl.get(), 0, name.c_str(), &link) < 0) return {};
  char buf[32];
  LinkInfo info{nl_addr2str(rtnl_link_get_addr(link), buf, sizeof buf), rtnl_link_get_mtu(link),
                (rtnl_link_get_flags(link) & IFF_UP) != 0};
  rtnl_link_put(link);
  return info;
}
}  // namespace

TEST_CASE("network: two endpoints on one network talk TCP") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  auto rec = nm.create(Net("proj_default").opt("com.docker.network.driver.mtu", "1400"));
  CHECK(rec.mtu == 1400);
  CHECK(rec.bridge.rfind(nm.names().link_prefix(), 0) == 0);

  TestNetns a, b;
  auto bridge_mac = [&] {
    net::NetlinkSocket host;
    rtnl_link* link = nullptr;
    REQUIRE(rtnl_link_get_kernel(host.get(), 0, rec.bridge.c_str(), &link) == 0);
    char buf[32];
    std::string mac = nl_addr2str(rtnl_link_get_addr(link), buf, sizeof buf);
    rtnl_link_put(link);
    return mac;
  };
  const std::string gateway_mac = bridge_mac();
  CHECK(gateway_mac.substr(0, 3) == "02:");
  auto ea = nm.connect("proj_default", "ca", a.ref());
  auto eb = nm.connect(rec.id, "cb", b.ref(), Ep().alias("web").mac("02:00:00:00:be:ef"));
  CHECK(ea.ifname == "eth0");
  CHECK(ea.gateway == rec.gateway);
  CHECK(ea.ip != eb.ip);
  CHECK(ea.mac == net::mac_from_ipv4(net::parse_ipv4(ea.ip, "test")));
  CHECK(eb.mac == "02:00:00:00:be:ef");
  CHECK(bridge_mac() == gateway_mac);  // ports do not change the gateway's MAC

  auto inside = link_in(b, "eth0");
  CHECK(inside.mac == "02:00:00:00:be:ef");
  CHECK(inside.mtu == 1400);
  CHECK(inside.up);
  CHECK(link_in(b, "lo").up);

  TcpEcho echo(b, 7001);
  CHECK(tcp_echo_works(a, eb.ip, 7001));
  // The gateway (bridge address) answers too: the host side is reachable from containers.
  TcpEcho echo_a(a, 7002);
  CHECK(tcp_echo_works(b, ea.ip, 7002));

  // The state says who is where.
  auto got = nm.get("proj_default");
  REQUIRE(got);
  CHECK(got->endpoints.at("cb").aliases == std::vector<std::string>{"web"});
  CHECK(got->endpoints.at("cb").host_veth == eb.host_veth);
}

TEST_CASE("network: interface_index names the container side eth<N>, one container on two networks") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  nm.create(Net("p_front"));
  nm.create(Net("p_back"));
  TestNetns c, peer_front, peer_back;
  auto e0 = nm.connect("p_front", "c", c.ref());
  auto e1 = nm.connect("p_back", "c", c.ref(), Ep().index(1));
  auto pf = nm.connect("p_front", "pf", peer_front.ref());
  auto pb = nm.connect("p_back", "pb", peer_back.ref());
  CHECK(e0.ifname == "eth0");
  CHECK(e1.ifname == "eth1");
  CHECK(link_in(c, "eth1").up);
  TcpEcho ef(peer_front, 7003), eb(peer_back, 7004);
  CHECK(tcp_echo_works(c, pf.ip, 7003));
  CHECK(tcp_echo_works(c, pb.ip, 7004));

  CHECK_THROWS_WITH(nm.connect("p_back", "c", c.ref(), Ep().index(1)),
                    Equals("container c is already connected to network p_back"));
  CHECK(nm.disconnect("p_back", "c"));
  CHECK_FALSE(nm.disconnect("p_back", "c"));
  CHECK(link_in(c, "eth1").mtu == 0);  // gone with its host side
  net::NetlinkSocket host;
  CHECK(host.ifindex(e1.host_veth) == 0);
}

TEST_CASE("network: connect errors name the network and the container") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  TestNetns c;
  CHECK_THROWS_WITH(nm.connect("nope", "c", c.ref()), Equals("network nope not found"));
  nm.create(Net("p_default"));
  CHECK_THROWS_WITH(nm.connect("p_default", "c", c.ref(), Ep().ip("172.30.0.9")),
                    Equals("network p_default: ipv4_address 172.30.0.9 needs a network with a "
                           "user-configured subnet (ipam.config.subnet)"));
  CHECK_THROWS_WITH(nm.connect("p_default", "c", net::NetnsRef::of_path("/nonexistent/ns")),
                    Equals("open /nonexistent/ns: No such file or directory"));
  // A failed connect leaves no address taken and no link behind.
  auto e = nm.connect("p_default", "c", c.ref());
  auto rec = nm.get("p_default");
  CHECK(e.ip == net::ipv4_string(net::parse_ipv4(rec->gateway, "t") + 1));
  net::NetlinkSocket host;
  CHECK(net::links_with_prefix(host, nm.names().link_prefix()).size() == 2);  // bridge + one veth
}

TEST_CASE("network: enable_icc=false keeps containers apart but lets them reach the gateway") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  auto rec = nm.create(Net("p_noicc").opt("com.docker.network.bridge.enable_icc", "false"));
  CHECK_FALSE(rec.icc);
  TestNetns a, b;
  nm.connect("p_noicc", "a", a.ref());
  auto eb = nm.connect("p_noicc", "b", b.ref());
  TcpEcho to_b(b, 7301), to_host(rec.gateway, 7302);
  CHECK_FALSE(tcp_echo_works(a, eb.ip, 7301));
  CHECK(tcp_echo_works(a, rec.gateway, 7302));
  CHECK(tcp_echo_works(b, rec.gateway, 7302));
}
