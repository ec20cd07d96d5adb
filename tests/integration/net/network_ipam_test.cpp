// IPAM against the real host: subnets skip what other roots use, configured subnets,
// fixed addresses, allocations that survive a new NetworkManager, exhaustion.
#include <catch2/catch.hpp>

#include <thread>

#include "mycompose/common/error.hpp"
#include "mycompose/net/bridge.hpp"
#include "network_test_support.hpp"

using namespace mycompose;
using namespace mycompose::test;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

TEST_CASE("network ipam: default subnets never overlap the host's or another root's") {
  TempNetRoot r1, r2;
  net::NetworkManager a(r1.path()), b(r2.path());
  auto n1 = a.create(Net("p_default"));
  auto n2 = b.create(Net("p_default"));
  auto n3 = a.create(Net("p_other"));
  auto s1 = net::Ipv4Prefix::parse(n1.subnet, "t"), s2 = net::Ipv4Prefix::parse(n2.subnet, "t"),
       s3 = net::Ipv4Prefix::parse(n3.subnet, "t");
  CHECK_FALSE(s1.overlaps(s2));
  CHECK_FALSE(s1.overlaps(s3));
  CHECK_FALSE(s2.overlaps(s3));
  for (const auto& s : {s1, s2, s3}) {
    bool from_pools = false;
    for (const auto& p : net::default_pools()) from_pools |= p == s;
    CHECK(from_pools);
  }
  // Every host prefix other than our own bridges' stays clear of them.
  net::NetlinkSocket nl;
  int own = 0;
  for (const auto& p : net::host_ipv4_prefixes(nl))
    if (p.overlaps(s1)) ++own;
  CHECK(own >= 1);  // the bridge address (and its route): what the next root sees
  // A configured subnet that overlaps a network of another root is refused.
  CHECK_THROWS_WITH(b.create(Net("p_clash").ipam(n1.subnet)),
                    Contains("network p_clash: subnet " + n1.subnet + " overlaps"));
}

TEST_CASE("network ipam: configured subnet, ip_range, gateway, fixed address and persistence") {
  TempNetRoot root;
  std::vector<std::unique_ptr<TestNetns>> ns;
  for (int i = 0; i < 8; ++i) ns.push_back(std::make_unique<TestNetns>());
  net::NetworkSpec spec = Net("proj_fixed").ipam("198.18.40.0/24", "198.18.40.8/29", "198.18.40.254",
                                                 {{"router", "198.18.40.9"}});
  {
    net::NetworkManager nm(root.path());
    auto rec = nm.create(spec);
    CHECK(rec.subnet == "198.18.40.0/24");
    CHECK(rec.gateway == "198.18.40.254");
    CHECK(nm.connect("proj_fixed", "c0", ns[0]->ref(), Ep().ip("198.18.40.100")).ip == "198.18.40.100");
    CHECK(nm.connect("proj_fixed", "c1", ns[1]->ref()).ip == "198.18.40.8");
    CHECK(nm.connect("proj_fixed", "c2", ns[2]->ref()).ip == "198.18.40.10");  // .9 is aux
    CHECK(nm.disconnect("proj_fixed", "c2"));
  }
  {
    // A new manager (an engine restart) knows what is taken and where it stopped.
    net::NetworkManager nm(root.path());
    CHECK_THROWS_WITH(nm.connect("proj_fixed", "c3", ns[3]->ref(), Ep().ip("198.18.40.8")),
                      Equals("network proj_fixed: address 198.18.40.8 is already in use"));
    CHECK(nm.connect("proj_fixed", "c3", ns[3]->ref()).ip == "198.18.40.11");
    CHECK(nm.connect("proj_fixed", "c4", ns[4]->ref()).ip == "198.18.40.12");
  }
  net::NetworkManager nm(root.path());
  CHECK(nm.connect("proj_fixed", "c5", ns[5]->ref()).ip == "198.18.40.13");
  CHECK(nm.connect("proj_fixed", "c6", ns[6]->ref()).ip == "198.18.40.14");
  CHECK(nm.connect("proj_fixed", "c2", ns[2]->ref()).ip == "198.18.40.15");
  // Past the end of the range it wraps to the one address released before the restart.
  CHECK(nm.connect("proj_fixed", "c7", ns[7]->ref()).ip == "198.18.40.10");
  TestNetns last;
  CHECK_THROWS_WITH(nm.connect("proj_fixed", "c8", last.ref()),
                    Equals("network proj_fixed: no IPv4 address left in ip_range 198.18.40.8/29"));
  // The failed connect took nothing: releasing one address makes exactly that one free.
  CHECK(nm.disconnect("proj_fixed", "c4"));
  CHECK(nm.connect("proj_fixed", "c8", last.ref()).ip == "198.18.40.12");
}

TEST_CASE("network create: errors name the network") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  nm.create(Net("p_default"));
  CHECK_THROWS_WITH(nm.create(Net("p_default")), Equals("network with name p_default already exists"));
  CHECK_THROWS_WITH(nm.create(Net("p_o").driver("overlay")),
                    Equals("network p_o: driver \"overlay\" is not supported (only bridge)"));
  CHECK_THROWS_WITH(nm.create(Net("p_m").opt("com.docker.network.driver.mtu", "9x")),
                    Equals("network p_m: driver_opts com.docker.network.driver.mtu \"9x\" is not a number"));
  CHECK_THROWS_WITH(nm.create(Net("p_r").ipam("198.18.41.0/24", "198.18.42.0/28")),
                    Equals("network p_r: ip_range 198.18.42.0/28 is not inside subnet 198.18.41.0/24"));
  // Failed creates leave no bridge and no state.
  CHECK(nm.list().size() == 1);
  net::NetlinkSocket nl;
  CHECK(net::links_with_prefix(nl, nm.names().link_prefix()).size() == 1);
}

TEST_CASE("network ipam: managers racing on one root and on two roots never share a subnet or address") {
  TempNetRoot shared, other;
  std::vector<std::string> subnets[3];
  std::string errors[3];
  auto worker = [&](int w, const std::filesystem::path& root) {
    try {
      net::NetworkManager nm(root);  // its own lock file descriptor: flock excludes it from the others
      for (int i = 0; i < 3; ++i) subnets[w].push_back(nm.create(Net("w" + std::to_string(w) + "_" + std::to_string(i))).subnet);
    } catch (const std::exception& e) {
      errors[w] = e.what();
    }
  };
  std::thread t0(worker, 0, shared.path()), t1(worker, 1, shared.path()), t2(worker, 2, other.path());
  t0.join();
  t1.join();
  t2.join();
  CHECK(errors[0].empty());
  CHECK(errors[1].empty());
  CHECK(errors[2].empty());
  std::vector<net::Ipv4Prefix> all;
  for (const auto& v : subnets)
    for (const auto& s : v) all.push_back(net::Ipv4Prefix::parse(s, "t"));
  REQUIRE(all.size() == 9);
  for (std::size_t i = 0; i < all.size(); ++i)
    for (std::size_t j = i + 1; j < all.size(); ++j) CHECK_FALSE(all[i].overlaps(all[j]));
  CHECK(net::NetworkManager(shared.path()).list().size() == 6);
}
