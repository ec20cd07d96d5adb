// Endpoints are files of their own (<network id>.endpoints/<container id>.json): a connect or
// disconnect writes one small file and leaves the network's record alone, which made a large
// `up` quadratic when every connect rewrote (and fsynced) the network with all its endpoints.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "mycompose/common/fs.hpp"
#include "mycompose/net/bridge.hpp"
#include "network_test_support.hpp"

using namespace mycompose;
using namespace mycompose::test;
using nlohmann::json;

namespace {

struct stat stat_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st;
}

}  // namespace

TEST_CASE("network endpoints: a connect writes its own file and leaves the network record untouched") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  const auto rec = nm.create(Net("p_default"));
  const auto record = nm.state_dir() / (rec.id + ".json");
  const auto folder = nm.state_dir() / (rec.id + ".endpoints");
  const auto before = stat_of(record);
  TestNetns c1, c2;
  nm.connect("p_default", "c1", c1.ref(), Ep().alias("one"));
  nm.connect("p_default", "c2", c2.ref());
  const auto after = stat_of(record);
  CHECK(after.st_ino == before.st_ino);
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  CHECK(std::filesystem::exists(folder / "c1.json"));
  CHECK(std::filesystem::exists(folder / "c2.json"));
  CHECK(fs::read_file(record, 1 << 20).find("\"endpoints\"") == std::string::npos);

  // Another manager (another process) sees both, with their addresses and aliases.
  auto seen = net::NetworkManager(root.path()).get("p_default");
  REQUIRE(seen);
  REQUIRE(seen->endpoints.size() == 2);
  CHECK(seen->endpoints.at("c1").aliases == std::vector<std::string>{"one"});
  CHECK(seen->endpoints.at("c1").ip != seen->endpoints.at("c2").ip);

  // A file another writer replaced is read again, not served from what was read before.
  auto j = json::parse(fs::read_file(folder / "c2.json", 1 << 16));
  j["aliases"] = {"two"};
  fs::write_file_atomic(folder / "c2.json", j.dump(), 0600);
  CHECK(nm.get("p_default")->endpoints.at("c2").aliases == std::vector<std::string>{"two"});

  // The next address continues after the last one handed out (the cursor survives the manager).
  nm.disconnect("p_default", "c2");
  CHECK_FALSE(std::filesystem::exists(folder / "c2.json"));
  TestNetns c3;
  const auto e3 = net::NetworkManager(root.path()).connect("p_default", "c3", c3.ref());
  CHECK(e3.ip != seen->endpoints.at("c2").ip);
  CHECK(nm.get("p_default")->endpoints.size() == 2);

  nm.disconnect("p_default", "c1");
  nm.disconnect("p_default", "c3");
  nm.remove("p_default");
  CHECK_FALSE(std::filesystem::exists(record));
  CHECK_FALSE(std::filesystem::exists(folder));
}

TEST_CASE("network endpoints: a record with inline endpoints (an older engine's) is moved to endpoint files") {
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  const auto rec = nm.create(Net("p_default"));
  const auto record = nm.state_dir() / (rec.id + ".json");
  const auto folder = nm.state_dir() / (rec.id + ".endpoints");
  TestNetns c1;
  const auto ep = nm.connect("p_default", "c1", c1.ref(), Ep().alias("web"));
  // Rewrite the state as the older engine left it: the endpoint inside the record.
  auto j = json::parse(fs::read_file(record, 1 << 20));
  j["endpoints"] = {{"c1", json::parse(fs::read_file(folder / "c1.json", 1 << 16))}};
  fs::write_file_atomic(record, j.dump(2), 0600);
  std::filesystem::remove_all(folder);

  auto seen = nm.get("p_default");
  REQUIRE(seen);
  REQUIRE(seen->endpoints.count("c1") == 1);
  CHECK(seen->endpoints.at("c1").ip == ep.ip);
  CHECK(seen->endpoints.at("c1").aliases == std::vector<std::string>{"web"});
  CHECK(std::filesystem::exists(folder / "c1.json"));
  CHECK(fs::read_file(record, 1 << 20).find("\"endpoints\"") == std::string::npos);
  // And it is a working endpoint: disconnect takes its veth.
  CHECK(nm.disconnect("p_default", "c1"));
  net::NetlinkSocket nl;
  CHECK(nl.ifindex(ep.host_veth) == 0);
  CHECK(nm.get("p_default")->endpoints.empty());
}
