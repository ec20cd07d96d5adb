// cleanup_all takes away every link, table and lease of a root — also those a crashed
// engine left without state — and nothing of another root.
#include <catch2/catch.hpp>

#include <algorithm>

#include "mycompose/net/bridge.hpp"
#include "mycompose/net/nat.hpp"
#include "network_test_support.hpp"

using namespace mycompose;
using namespace mycompose::test;

TEST_CASE("network cleanup_all leaves no link, table or state of its root, and spares others") {
  TempNetRoot root, other_root;
  net::NetworkManager nm(root.path()), other(other_root.path());
  auto kept = other.create(Net("q_default"));
  nm.create(Net("p_default"));
  nm.create(Net("p_internal").internal());
  TestNetns c1, c2;
  nm.connect("p_default", "c1", c1.ref());
  nm.connect("p_internal", "c1", c1.ref(), Ep().index(1));
  nm.connect("p_default", "c2", c2.ref());
  // What a crash leaves behind: a bridge whose state file never got written, and a state
  // file whose bridge is gone.
  net::NetlinkSocket nl;
  const std::string stray = nm.names().link_prefix() + "b0crash";
  net::create_bridge(nl, stray, 1500, net::parse_ipv4("198.18.232.1", "t"), 24);
  std::filesystem::copy_file(nm.state_dir() / (nm.get("p_default")->id + ".json"), nm.state_dir() / "orphan.json");

  const auto prefix = nm.names().link_prefix();
  CHECK(net::links_with_prefix(nl, prefix).size() == 6);  // 3 bridges, 3 veths
  nm.cleanup_all();
  CHECK(net::links_with_prefix(nl, prefix).empty());
  auto tables = net::nat_tables();
  CHECK(std::find(tables.begin(), tables.end(), nm.names().nft_table()) == tables.end());
  CHECK(std::find(tables.begin(), tables.end(), other.names().nft_table()) != tables.end());
  CHECK(nm.list().empty());
  bool any_json = false;
  for (const auto& e : std::filesystem::directory_iterator(nm.state_dir())) any_json |= e.path().extension() == ".json";
  CHECK_FALSE(any_json);
  CHECK(nl.ifindex(kept.bridge) != 0);
  // A second cleanup on a clean root is fine.
  nm.cleanup_all();
}
