// The build network (Dockerfile RUN steps): made by the first step, shared by concurrent
// steps, removed with the last one unless a builder holds it, invisible as a user network,
// and what a killed builder leaves is pruned.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
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

TEST_CASE("build network: a builder holds it between its steps, until it releases it or is gone") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  // Stand-ins for builders: live processes whose pids hold the network.
  TestNetns builder;
  std::optional<TestNetns> other_builder(std::in_place);
  const pid_t other = other_builder->pid();
  {
    TestNetns step;
    nm.connect_build_step("s1", step.ref(), builder.pid());
  }
  nm.disconnect_build_step("s1");
  auto bn = nm.build_network();
  REQUIRE(bn);  // held by the builder between steps
  CHECK(bn->endpoints.empty());
  CHECK(bn->holders.count(builder.pid()));
  CHECK_FALSE(nm.prune_build_network());
  {
    TestNetns step;
    nm.connect_build_step("s2", step.ref(), other);
    nm.disconnect_build_step("s2");
  }
  CHECK(nm.build_network()->id == bn->id);
  nm.release_build_network(builder.pid());
  auto held = nm.build_network();
  REQUIRE(held);  // the other builder still holds it
  REQUIRE(held->holders.count(other));
  CHECK(net::build_holder_alive(other, held->holders.at(other)));
  other_builder.reset();  // that builder dies without releasing
  CHECK_FALSE(net::build_holder_alive(other, held->holders.at(other)));
  CHECK(nm.prune_build_network());
  CHECK_FALSE(nm.build_network());
  net::NetlinkSocket nl;
  CHECK(nl.ifindex(bn->bridge) == 0);
}
