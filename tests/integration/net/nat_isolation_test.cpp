// NAT and isolation through the root's nft table: networks cannot reach each other,
// internal networks have no way out, other networks reach the "outside" masqueraded.
// "Outside" is a namespace the test makes behind a host veth (198.18.231.0/30), never a
// real outside address.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "mycompose/net/bridge.hpp"
#include "mycompose/net/nat.hpp"
#include "mycompose/net/veth.hpp"
#include "network_test_support.hpp"

using namespace mycompose;
using namespace mycompose::test;
using Catch::Matchers::Contains;

namespace {
// A namespace reachable from the host at 198.18.231.2 over a veth. Its host side must not
// look like ours ("mc…"): the isolation rules would drop traffic to it like to a bridge.
struct Outside {
  TestNetns ns;
  std::string host_side;
  Outside(const net::NetworkManager& nm) : host_side("tn" + nm.names().root_tag() + "out") {
    net::NetlinkSocket host;
    UniqueFd fd = ns.ref().open();
    net::create_veth(host, {host_side, "eth0", fd.get(), 1500, ""});
    net::add_ipv4_address(host, host_side, net::parse_ipv4("198.18.231.1", "t"), 30);
    net::set_link_up(host, host_side);
    auto inside = net::NetlinkSocket::in_netns(fd.get(), "outside netns");
    net::add_ipv4_address(inside, "eth0", net::parse_ipv4("198.18.231.2", "t"), 30);
    net::set_link_up(inside, "eth0");
    net::set_link_up(inside, "lo");
    // No route back to any container subnet: only masqueraded traffic can be answered.
  }
  ~Outside() {
    net::NetlinkSocket host;
    net::delete_link(host, host_side);
  }
};
}  // namespace

TEST_CASE("nat: two networks cannot reach each other, by the table's rules alone") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  nm.create(Net("p1_default"));
  nm.create(Net("p2_default"));
  TestNetns a, b, b2;
  nm.connect("p1_default", "a", a.ref());
  auto eb = nm.connect("p2_default", "b", b.ref());
  nm.connect("p2_default", "b2", b2.ref());
  TcpEcho echo(b, 7101);
  CHECK(tcp_echo_works(b2, eb.ip, 7101));  // the server answers on its own network
  CHECK_FALSE(tcp_echo_works(a, eb.ip, 7101));
  // Without the table the host would route between the bridges: the rules are what blocks.
  net::delete_nat_table(nm.names().nft_table());
  CHECK(tcp_echo_works(a, eb.ip, 7101));
}

TEST_CASE("nat: networks of two different roots (engines) cannot reach each other either") {
  TempNetRoot r1, r2;
  net::NetworkManager m1(r1.path()), m2(r2.path());
  m1.create(Net("p_default"));
  m2.create(Net("p_default"));
  TestNetns a, b;
  auto ea = m1.connect("p_default", "a", a.ref());
  auto eb = m2.connect("p_default", "b", b.ref());
  TcpEcho echo_a(a, 7104), echo_b(b, 7105);
  CHECK_FALSE(tcp_echo_works(a, eb.ip, 7105));
  CHECK_FALSE(tcp_echo_works(b, ea.ip, 7104));
}

TEST_CASE("nat: an internal network cannot reach an address outside it, others can, masqueraded") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  auto internal = nm.create(Net("p_private").internal());
  auto open_net = nm.create(Net("p_public"));
  Outside outside(nm);
  TcpEcho echo(outside.ns, 7102);

  TestNetns pub, priv;
  auto epub = nm.connect("p_public", "pub", pub.ref());
  auto epriv = nm.connect("p_private", "priv", priv.ref());
  CHECK(epriv.gateway.empty());
  CHECK(epub.gateway == open_net.gateway);
  CHECK(tcp_echo_works(pub, "198.18.231.2", 7102));
  CHECK_FALSE(tcp_echo_works(priv, "198.18.231.2", 7102));
  // Even when the container routes there itself (it has no default route), the forward
  // rules drop it.
  {
    UniqueFd fd = priv.ref().open();
    auto inside = net::NetlinkSocket::in_netns(fd.get(), "priv");
    net::add_route(inside, net::Ipv4Prefix::parse("198.18.231.0/30", "t"), net::parse_ipv4(internal.gateway, "t"));
  }
  CHECK_FALSE(tcp_echo_works(priv, "198.18.231.2", 7102));
  // Containers on the internal network still talk to each other.
  TestNetns priv2;
  auto e2 = nm.connect("p_private", "priv2", priv2.ref());
  TcpEcho echo2(priv2, 7103);
  CHECK(tcp_echo_works(priv, e2.ip, 7103));
}

TEST_CASE("nat: the table follows the networks, removing the last one removes it") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  const auto table = nm.names().nft_table();
  auto a = nm.create(Net("p_a"));
  auto b = nm.create(Net("p_b").opt("com.docker.network.bridge.enable_ip_masquerade", "false"));
  auto text = nft_table_text(table);
  CHECK_THAT(text, Contains("ip saddr " + a.subnet + " oifname != \"" + a.bridge + "\" masquerade"));
  CHECK_THAT(text, !Contains("ip saddr " + b.subnet));
  CHECK_THAT(text, Contains("iifname \"" + b.bridge + "\" oifname \"mc*\" oifname != \"" + b.bridge + "\" drop"));
  CHECK(std::ifstream("/proc/sys/net/ipv4/ip_forward").get() == '1');

  nm.remove("p_a");
  text = nft_table_text(table);
  CHECK_THAT(text, !Contains(a.bridge));
  CHECK_THAT(text, Contains(b.bridge));
  net::NetlinkSocket nl;
  CHECK(nl.ifindex(a.bridge) == 0);
  CHECK(nl.ifindex(b.bridge) != 0);

  TestNetns c;
  nm.connect("p_b", "c", c.ref());
  CHECK_THROWS_WITH(nm.remove("p_b"), "network p_b has active endpoints (c)");
  nm.disconnect("p_b", "c");
  nm.remove("p_b");
  CHECK(nft_table_text(table).empty());
  auto tables = net::nat_tables();
  CHECK(std::find(tables.begin(), tables.end(), table) == tables.end());
  CHECK(nm.list().empty());
  CHECK_THROWS_WITH(nm.remove("p_b"), "network p_b not found");
}

TEST_CASE("nat: published ports reach the container from outside and from a host address, until disconnect") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  nm.create(Net("p_web"));
  auto priv = nm.create(Net("p_priv").internal());
  Outside outside(nm);
  TestNetns web, other;
  nm.connect("p_web", "web", web.ref());
  nm.connect("p_priv", "other", other.ref());
  TcpEcho echo(web, 8080);
  CHECK_FALSE(tcp_echo_works(outside.ns, "198.18.231.1", 18081));  // nothing there before publishing

  nm.forward_ports("p_web", "web", {{"tcp", "", 18081, 8080}, {"tcp", "198.18.231.1", 18082, 8080}});
  CHECK(tcp_echo_works(outside.ns, "198.18.231.1", 18081));
  CHECK(tcp_echo_works(outside.ns, "198.18.231.1", 18082));
  CHECK(tcp_echo_works_from_host("198.18.231.1", 18081));
  CHECK(nm.get("p_web")->endpoints.at("web").ports.size() == 2);
  CHECK_THROWS_WITH(nm.forward_ports("p_priv", "other", {{"tcp", "", 18083, 80}}),
                    "forward ports: network p_priv is internal, it has no way in from the host");
  CHECK_THROWS_WITH(nm.forward_ports("p_web", "web", {{"sctp", "", 18083, 80}}),
                    "forward 18083:80/sctp for container web: protocol must be tcp or udp");
  CHECK_THROWS_WITH(nm.forward_ports("p_web", "nobody", {}), "forward ports: container nobody is not connected to network p_web");
  CHECK(priv.internal);

  nm.disconnect("p_web", "web");
  CHECK_THAT(nft_table_text(nm.names().nft_table()), !Contains("dport 18081"));
  CHECK_FALSE(tcp_echo_works(outside.ns, "198.18.231.1", 18081));
}

TEST_CASE("nat: rules text for internal and masquerading networks") {
  std::vector<net::NatNetwork> nets{{"mcaaaaabinternl", net::Ipv4Prefix::parse("10.1.0.0/16", "t"), true, true, {}},
                                    {"mcaaaaabpublic0", net::Ipv4Prefix::parse("10.2.0.0/16", "t"), false, true, {}}};
  auto text = net::nat_ruleset("mycompose_aaaaa", nets, "mc");
  CHECK_THAT(text, Contains("add table ip mycompose_aaaaa\ndelete table ip mycompose_aaaaa\n"));
  CHECK_THAT(text, Contains("iifname \"mcaaaaabinternl\" oifname != \"mcaaaaabinternl\" drop"));
  CHECK_THAT(text, Contains("oifname \"mcaaaaabinternl\" iifname != \"mcaaaaabinternl\" drop"));
  CHECK_THAT(text, !Contains("ip saddr 10.1.0.0/16"));
  CHECK_THAT(text, Contains("ip saddr 10.2.0.0/16 oifname != \"mcaaaaabpublic0\" masquerade"));
  CHECK_THAT(text, !Contains("prerouting"));
  // Into a bridge from elsewhere: replies and published (DNAT) ports only; DNS from its bridge.
  const std::string into = "oifname \"mcaaaaabpublic0\" iifname != \"mcaaaaabpublic0\" ";
  CHECK_THAT(text, Contains(into + "ct state established,related accept\n    " + into + "ct status dnat accept\n    " + into + "drop"));
  CHECK_THAT(text, !Contains("th dport 53"));
  nets[1].gateway = net::parse_ipv4("10.2.0.1", "t");
  text = net::nat_ruleset("mycompose_aaaaa", nets, "mc");
  CHECK_THAT(text, Contains("ip daddr 10.2.0.1 iifname != \"mcaaaaabpublic0\" meta l4proto { tcp, udp } th dport 53 drop"));
  nets[1].ports.push_back({"udp", 0, 5353, net::parse_ipv4("10.2.0.7", "t"), 53});
  nets[1].ports.push_back({"tcp", net::parse_ipv4("192.0.2.2", "t"), 8443, net::parse_ipv4("10.2.0.8", "t"), 443});
  text = net::nat_ruleset("mycompose_aaaaa", nets, "mc");
  CHECK_THAT(text, Contains("iifname != \"mcaaaaabpublic0\" fib daddr type local udp dport 5353 dnat to 10.2.0.7:53"));
  CHECK_THAT(text, Contains("iifname != \"mcaaaaabpublic0\" ip daddr 192.0.2.2 tcp dport 8443 dnat to 10.2.0.8:443"));
  CHECK_THAT(text, Contains("ip daddr != 127.0.0.0/8 fib daddr type local udp dport 5353 dnat to 10.2.0.7:53"));
  CHECK(net::nat_ruleset("mycompose_aaaaa", {}, "mc") ==
        "add table ip mycompose_aaaaa\ndelete table ip mycompose_aaaaa\n");
}
