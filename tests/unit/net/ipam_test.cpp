// IPAM: Docker's default pools, overlap skipping, ip_range, gateway, fixed addresses,
// exhaustion. Pure logic, no root.
#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/net/ipam.hpp"

using namespace mycompose::net;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {
Ipv4Prefix P(const char* s) { return Ipv4Prefix::parse(s, "test"); }
Ipv4 A(const char* s) { return parse_ipv4(s, "test"); }
}  // namespace

TEST_CASE("ipam default pools are Docker's: 172.17-31 /16 then 192.168.0.0/16 as /20s") {
  const auto& pools = default_pools();
  REQUIRE(pools.size() == 15 + 16);
  CHECK(pools.front().str() == "172.17.0.0/16");
  CHECK(pools[14].str() == "172.31.0.0/16");
  CHECK(pools[15].str() == "192.168.0.0/20");
  CHECK(pools[16].str() == "192.168.16.0/20");
  CHECK(pools.back().str() == "192.168.240.0/20");
}

TEST_CASE("ipam picks the first pool that overlaps nothing taken") {
  CHECK(pick_subnet({})->str() == "172.17.0.0/16");
  // An interface address inside 172.17/16, a route covering 172.18-19, a /24 inside 172.20.
  std::vector<Ipv4Prefix> taken{P("172.17.5.9/24"), P("172.18.0.0/15"), P("172.20.3.0/24")};
  CHECK(pick_subnet(taken)->str() == "172.21.0.0/16");
  // A wide route (172.16.0.0/12) covers every 172 pool: the 192.168 /20s come next.
  CHECK(pick_subnet({P("172.16.0.0/12"), P("192.168.0.1/24")})->str() == "192.168.16.0/20");
  CHECK_FALSE(pick_subnet({P("172.16.0.0/12"), P("192.168.0.0/16")}).has_value());
}

TEST_CASE("ipam prefix parsing and overlap") {
  CHECK(P("10.1.2.3/8").str() == "10.0.0.0/8");
  CHECK(P("10.0.0.0/8").overlaps(P("10.200.0.0/16")));
  CHECK(P("10.200.0.0/16").overlaps(P("10.0.0.0/8")));
  CHECK_FALSE(P("10.0.0.0/16").overlaps(P("10.1.0.0/16")));
  CHECK_THROWS_WITH(Ipv4Prefix::parse("10.0.0.0/33", "ipam subnet"),
                    Equals("invalid IPv4 subnet \"10.0.0.0/33\" in ipam subnet: prefix length must be 0-32"));
  CHECK_THROWS_WITH(parse_ipv4("10.0.0.300", "gateway"), Equals("invalid IPv4 address \"10.0.0.300\" in gateway"));
}

TEST_CASE("ipam hands out addresses in order after the gateway, never network or broadcast") {
  AddressPool pool("proj_default", P("10.5.0.0/29"), std::nullopt, std::nullopt);
  CHECK(ipv4_string(pool.gateway()) == "10.5.0.1");
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(ipv4_string(pool.allocate()));
  CHECK(got == std::vector<std::string>{"10.5.0.2", "10.5.0.3", "10.5.0.4", "10.5.0.5", "10.5.0.6"});
  CHECK_THROWS_WITH(pool.allocate(), Equals("network proj_default: no IPv4 address left in subnet 10.5.0.0/29"));
}

TEST_CASE("ipam does not reuse a released address at once") {
  AddressPool pool("n", P("10.5.0.0/24"), std::nullopt, std::nullopt);
  Ipv4 a = pool.allocate();
  pool.allocate();
  pool.release(a);
  CHECK(ipv4_string(pool.allocate()) == "10.5.0.4");
  // After wrapping around it is used again.
  AddressPool small("n", P("10.6.0.0/30"), std::nullopt, std::nullopt);
  Ipv4 only = small.allocate();
  small.release(only);
  CHECK(small.allocate() == only);
}

TEST_CASE("ipam ip_range limits allocation and supplies the default gateway") {
  AddressPool pool("proj_back", P("10.7.0.0/16"), P("10.7.5.0/30"), std::nullopt);
  CHECK(ipv4_string(pool.gateway()) == "10.7.5.0");
  CHECK(ipv4_string(pool.allocate()) == "10.7.5.1");
  CHECK(ipv4_string(pool.allocate()) == "10.7.5.2");
  CHECK(ipv4_string(pool.allocate()) == "10.7.5.3");
  CHECK_THROWS_WITH(pool.allocate(), Equals("network proj_back: no IPv4 address left in ip_range 10.7.5.0/30"));
  CHECK_THROWS_WITH(AddressPool("x", P("10.7.0.0/16"), P("10.8.0.0/24"), std::nullopt),
                    Equals("network x: ip_range 10.8.0.0/24 is not inside subnet 10.7.0.0/16"));
}

TEST_CASE("ipam explicit gateway and aux addresses are never handed out") {
  AddressPool pool("n", P("10.9.0.0/29"), std::nullopt, A("10.9.0.6"));
  pool.reserve(A("10.9.0.1"), "aux address router");
  std::vector<std::string> got;
  for (int i = 0; i < 4; ++i) got.push_back(ipv4_string(pool.allocate()));
  CHECK(got == std::vector<std::string>{"10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5"});
  CHECK_THROWS(pool.allocate());
  CHECK_THROWS_WITH(AddressPool("n", P("10.9.0.0/29"), std::nullopt, A("10.9.0.7")),
                    Equals("network n: gateway 10.9.0.7 is not a host address of subnet 10.9.0.0/29"));
  CHECK_THROWS_WITH(pool.reserve(A("10.10.0.1"), "aux address db"),
                    Equals("network n: aux address db 10.10.0.1 is not in subnet 10.9.0.0/29"));
}

TEST_CASE("ipam fixed addresses: inside the subnet, free, not the gateway") {
  AddressPool pool("proj_default", P("10.11.0.0/24"), P("10.11.0.128/25"), std::nullopt);
  // A fixed address may lie outside ip_range (Docker allows it), but inside the subnet.
  CHECK(ipv4_string(pool.allocate(A("10.11.0.10"))) == "10.11.0.10");
  CHECK_THROWS_WITH(pool.allocate(A("10.11.0.10")),
                    Equals("network proj_default: address 10.11.0.10 is already in use"));
  CHECK_THROWS_WITH(pool.allocate(pool.gateway()),
                    Equals("network proj_default: address 10.11.0.128 is already in use"));
  CHECK_THROWS_WITH(pool.allocate(A("10.12.0.1")),
                    Equals("network proj_default: address 10.12.0.1 is not a host address of subnet 10.11.0.0/24"));
  CHECK_THROWS_WITH(pool.allocate(A("10.11.0.255")), Contains("is not a host address"));
  // The dynamic allocator skips the fixed one when it reaches it.
  AddressPool p2("n", P("10.13.0.0/29"), std::nullopt, std::nullopt);
  p2.allocate(A("10.13.0.2"));
  CHECK(ipv4_string(p2.allocate()) == "10.13.0.3");
}

TEST_CASE("ipam state restored from disk continues after the last address handed out") {
  AddressPool before("n", P("10.14.0.0/24"), std::nullopt, std::nullopt);
  Ipv4 a = before.allocate(), b = before.allocate();
  before.release(b);  // released just before a restart
  AddressPool after("n", P("10.14.0.0/24"), std::nullopt, std::nullopt);
  after.mark_allocated(a);
  after.set_cursor(before.cursor());
  Ipv4 c = after.allocate();
  CHECK(c != a);
  CHECK(c != b);
  CHECK(ipv4_string(c) == "10.14.0.4");
}

TEST_CASE("ipam refuses subnets too small for a gateway and a container") {
  CHECK_THROWS_WITH(AddressPool("tiny", P("10.15.0.0/31"), std::nullopt, std::nullopt),
                    Equals("network tiny: subnet 10.15.0.0/31 is too small (at most /30)"));
}
