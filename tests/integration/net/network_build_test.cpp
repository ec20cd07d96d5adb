// The build network (Dockerfile RUN steps): made by the first step, shared by concurrent
// steps, removed with the last one, invisible as a user network, and what a killed builder
// leaves is pruned.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "mycompose/net/bridge.hpp"
#include "network_test_support.hpp"

using namespace mycompose;
using namespace mycompose::test;

TEST_CASE("build network: made by the first step, hidden from users, removed with the last step") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  TestNetns a, b;
  auto ea = nm.connect_build_step("step-a", a.ref());
  auto bn = nm.build_network();
  REQUIRE(bn);
  CHECK(bn->build);
  CHECK(ea.ifname == "eth0");
  CHECK(ea.gateway == bn->gateway);
  CHECK(nm.list().empty());
  CHECK_FALSE(nm.get(bn->name));
  CHECK_FALSE(nm.get(bn->id));
  CHECK_THROWS_WITH(nm.remove(bn->name), "network " + bn->name + " not found");
  // A user network may carry the same name; the subnets never overlap.
  auto user = nm.create(Net(bn->name));
  CHECK_FALSE(net::Ipv4Prefix::parse(user.subnet, "t").overlaps(net::Ipv4Prefix::parse(bn->subnet, "t")));

  auto eb = nm.connect_build_step("step-b", b.ref());
  CHECK(nm.build_network()->id == bn->id);
  CHECK(eb.ip != ea.ip);
  nm.disconnect_build_step("step-a");
  REQUIRE(nm.build_network());
  CHECK(nm.build_network()->endpoints.size() == 1);
  nm.disconnect_build_step("step-b");
  CHECK_FALSE(nm.build_network());
  net::NetlinkSocket nl;
  CHECK(nl.ifindex(bn->bridge) == 0);
  CHECK(nl.ifindex(ea.host_veth) == 0);
  CHECK_THAT(nft_table_text(nm.names().nft_table()), !Catch::Matchers::Contains(bn->bridge));
  CHECK(nm.get(user.name));
}

TEST_CASE("build network: a step whose namespace died is pruned, and the network with it") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  std::string veth, bridge;
  {
    TestNetns step;  // a builder killed mid-step: nobody disconnects
    veth = nm.connect_build_step("killed", step.ref()).host_veth;
    bridge = nm.build_network()->bridge;
  }
  net::NetlinkSocket nl;
  for (int i = 0; i < 200 && nl.ifindex(veth) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(nl.ifindex(veth) == 0);  // the kernel took the pair with the namespace
  CHECK(nm.build_network());
  // A running step keeps it: only dead ones go.
  TestNetns live;
  nm.connect_build_step("live", live.ref());
  auto bn = nm.build_network();
  REQUIRE(bn);
  CHECK(bn->endpoints.size() == 1);  // connect pruned "killed" first
  CHECK(bn->endpoints.count("live"));
  CHECK_FALSE(nm.prune_build_network());
  nm.disconnect_build_step("live");
  CHECK_FALSE(nm.build_network());
  CHECK(nl.ifindex(bridge) == 0);

  {
    TestNetns step;
    nm.connect_build_step("killed-again", step.ref());
    veth = nm.build_network()->endpoints.at("killed-again").host_veth;
  }
  for (int i = 0; i < 200 && nl.ifindex(veth) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(nm.prune_build_network());
  CHECK_FALSE(nm.build_network());
  CHECK(nft_table_text(nm.names().nft_table()).empty());
}
