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
  for (const auto& e : std::filesystem::directory_iterator(nm.state_dir()))
    any_json |= e.path().extension() == ".json" || e.path().extension() == ".endpoints";
  CHECK_FALSE(any_json);
  CHECK(nl.ifindex(kept.bridge) != 0);
  // A second cleanup on a clean root is fine.
  nm.cleanup_all();
}

TEST_CASE("network reconcile: after a reboot-like loss, bridges and rules come back, dead endpoints go") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  auto rec = nm.create(Net("p_default"));
  auto alive = std::make_unique<TestNetns>();
  auto dying = std::make_unique<TestNetns>();
  auto ea = nm.connect("p_default", "alive", alive->ref());
  auto ed = nm.connect("p_default", "dying", dying->ref());
  dying.reset();  // its namespace goes, and the veth pair with it
  {
    net::NetlinkSocket nl;
    for (int i = 0; i < 100 && nl.ifindex(ed.host_veth) != 0; ++i) usleep(10000);  // netns teardown is async
  }
  net::delete_nat_table(nm.names().nft_table());

  auto after = net::NetworkManager(root.path()).reconcile();
  REQUIRE(after.size() == 1);
  CHECK(after[0].endpoints.count("alive") == 1);
  CHECK(after[0].endpoints.count("dying") == 0);
  CHECK_THAT(nft_table_text(nm.names().nft_table()), Catch::Matchers::Contains(rec.bridge));

  // Now the bridge itself is lost (as after a reboot): reconcile makes it again, with its
  // address; addresses handed out before are not reused at once.
  alive.reset();
  net::NetlinkSocket nl;
  for (int i = 0; i < 100 && nl.ifindex(ea.host_veth) != 0; ++i) usleep(10000);  // netns teardown is async
  net::delete_link(nl, rec.bridge);
  after = nm.reconcile();
  CHECK(nl.ifindex(rec.bridge) != 0);
  CHECK(after[0].endpoints.empty());
  TestNetns a, b;
  auto e1 = nm.connect("p_default", "a", a.ref());
  auto e2 = nm.connect("p_default", "b", b.ref());
  CHECK(e1.ip != ea.ip);  // the cursor continues after the addresses already handed out
  TcpEcho echo(b, 7201);
  CHECK(tcp_echo_works(a, e2.ip, 7201));
}
