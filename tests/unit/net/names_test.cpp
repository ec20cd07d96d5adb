// Host-global names carry the root's hash and fit in IFNAMSIZ.
#include <catch2/catch.hpp>

#include "mycompose/net/names.hpp"
#include "mycompose/net/veth.hpp"

using namespace mycompose::net;

TEST_CASE("names: every link name fits IFNAMSIZ and starts with the root's prefix") {
  HostNames n("/var/lib/mycompose");
  const std::string id(64, 'a');
  CHECK(n.root_tag().size() == 5);
  CHECK(n.link_prefix() == "mc" + n.root_tag());
  auto br = n.bridge_name(id);
  auto veth = n.veth_name(id, "c1");
  CHECK(br.size() == kMaxLinkName);
  CHECK(veth.size() == kMaxLinkName);
  CHECK(br.rfind(n.link_prefix(), 0) == 0);
  CHECK(veth.rfind(n.link_prefix(), 0) == 0);
  CHECK(br == n.link_prefix() + "baaaaaaa");
  CHECK(n.nft_table() == "mycompose_" + n.root_tag());
}

TEST_CASE("names: two roots get different prefixes, one root spelled two ways the same") {
  HostNames a("/tmp/root-a"), b("/tmp/root-b"), a2("/tmp/./root-a/");
  CHECK(a.link_prefix() != b.link_prefix());
  CHECK(a.link_prefix() == a2.link_prefix());
}

TEST_CASE("names: veth names differ per container and per network") {
  HostNames n("/r");
  CHECK(n.veth_name("net1", "c1") != n.veth_name("net1", "c2"));
  CHECK(n.veth_name("net1", "c1") != n.veth_name("net2", "c1"));
  CHECK(n.veth_name("net1", "c1") == HostNames("/r").veth_name("net1", "c1"));
}

TEST_CASE("names: container MACs derive from the address, user MACs are checked") {
  CHECK(mac_from_ipv4(0xac110002) == "02:42:ac:11:00:02");
  CHECK(normalize_mac("02:42:AC:11:00:0A") == "02:42:ac:11:00:0a");
  CHECK_THROWS_WITH(normalize_mac("02:42:ac:11:00"),
                    "invalid mac_address \"02:42:ac:11:00\": expected six hex pairs like 02:42:ac:11:00:02");
  CHECK_THROWS_WITH(normalize_mac("01:00:5e:00:00:01"),
                    "invalid mac_address \"01:00:5e:00:00:01\": a multicast address cannot be a container's");
}
