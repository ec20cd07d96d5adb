// system check: what a root leaves on the host that no state accounts for is found, named
// and removed by fix_leaks; a root with live containers has no leaks.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>

#include "../system_check_helpers.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/net/bridge.hpp"
#include "mycompose/net/nat.hpp"
#include "mycompose/net/names.hpp"
#include "mycompose/net/veth.hpp"
#include "mycompose/scheduler/system_check.hpp"
#include "store_fixture.hpp"

using namespace store_test;
using mycompose::scheduler::find_leaks;
using mycompose::scheduler::fix_leaks;
using mycompose::scheduler::Leak;

namespace {

// Undoes, in reverse, what a test made by hand, whether or not the test got to fix it.
struct Undo {
  std::vector<std::function<void()>> steps;
  void add(std::function<void()> f) { steps.push_back(std::move(f)); }
  ~Undo() {
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) try {
        (*it)();
      } catch (...) {
      }
  }
};

std::string kinds(const std::vector<Leak>& leaks) {
  std::string out;
  for (const auto& l : leaks) out += l.kind + " ";
  return out;
}

std::string listing(const std::vector<Leak>& leaks) {
  std::string out;
  for (const auto& l : leaks) out += mycompose::scheduler::describe(l) + "\n";
  return out;
}

const Leak* find_kind(const std::vector<Leak>& leaks, const std::string& kind, const std::string& object = "") {
  for (const auto& l : leaks)
    if (l.kind == kind && (object.empty() || l.object == object)) return &l;
  return nullptr;
}

// Running, not a zombie waiting for its parent.
bool alive(pid_t pid) {
  try {
    const std::string stat = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/stat");
    return stat.substr(stat.rfind(')') + 2, 1) != "Z";
  } catch (const std::exception&) {
    return false;
  }
}

struct TempRoot {
  stdfs::path dir;
  TempRoot() {
    char tmpl[] = "/tmp/mycompose-syscheck-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
};

}  // namespace

TEST_CASE("system check: a root with a running and a stopped container has no leaks") {
  Root r;
  ContainerStore store(r.root());
  auto running = store.create(request("services: {web: {image: busybox:test, command: [sleep, '100']}}"));
  store.start(running.id);
  auto req = request("services: {db: {image: busybox:test, command: [sleep, '100']}}", "db");
  auto stopped = store.create(req);
  store.start(stopped.id);
  store.stop(stopped.id, std::chrono::seconds(0));
  auto leaks = find_leaks(r.root());
  INFO(listing(leaks));
  CHECK(leaks.empty());
  store.remove(running.id, true);
  store.remove(stopped.id, true);
  CHECK(find_leaks(r.root()).empty());
  mycompose::test::require_no_leaks(r.root());
}

TEST_CASE("system check: a container whose state was lost leaves a cgroup, its process, its rootfs mount and folder, fix removes them") {
  Root r;
  ContainerStore store(r.root());
  auto c = store.create(request("services: {web: {image: busybox:test, command: [sleep, '100']}}"));
  store.start(c.id);
  const pid_t pid = store.state(c.id).pid;
  REQUIRE(pid > 0);
  // An engine that crashed half-way through removing it: the records are gone, the rest is not.
  stdfs::remove_all(r.root() / "runtime" / c.id);
  stdfs::remove(r.root() / "containers" / c.id / "container.json");
  Undo undo;
  undo.add([&] { mycompose::scheduler::fix_leaks(r.root(), find_leaks(r.root())); });

  auto leaks = find_leaks(r.root());
  INFO(listing(leaks));
  const Leak* cg = find_kind(leaks, "cgroup");
  REQUIRE(cg);
  CHECK(cg->container_id == c.id);
  CHECK(cg->how.find("has no runtime state") != std::string::npos);
  bool init_found = false;
  for (const auto& l : leaks) init_found |= l.kind == "process" && l.pid == pid;
  CHECK(init_found);
  const std::string rootfs = (stdfs::canonical(r.root()) / "containers" / c.id / "rootfs").string();
  const Leak* mount = find_kind(leaks, "mount", rootfs);
  REQUIRE(mount);
  CHECK(mount->how == "overlay mount of container " + c.id + ", which has no record (" +
                          (stdfs::canonical(r.root()) / "containers" / c.id / "container.json").string() + ")");
  CHECK(find_kind(leaks, "folder"));

  auto check = mycompose::test::system_check(r.root());
  CHECK(check.exit_code == 1);
  CHECK(check.out.find("cgroup ") != std::string::npos);
  CHECK(check.out.find("leaks found in") != std::string::npos);

  auto failed = fix_leaks(r.root(), leaks);
  INFO(listing(failed));
  CHECK(failed.empty());
  auto after = find_leaks(r.root());
  INFO(listing(after));
  CHECK(after.empty());
  CHECK_FALSE(alive(pid));
  CHECK_FALSE(stdfs::exists(r.root() / "containers" / c.id));
}

TEST_CASE("system check: a leftover mount, bridge, veth, nft table and engine socket are found, --fix removes them") {
  TempRoot t;
  const stdfs::path root = t.dir;
  mycompose::net::HostNames names(root);
  Undo undo;

  // A bind mount left under the root.
  stdfs::create_directories(root / "build-cache/merged");
  REQUIRE(::mount("tmpfs", (root / "build-cache/merged").c_str(), "tmpfs", 0, "size=1m") == 0);
  undo.add([&] { ::umount2((root / "build-cache/merged").c_str(), MNT_DETACH); });

  // A bridge and a veth with the root's prefix, no network recorded.
  mycompose::net::NetlinkSocket nl;
  const std::string bridge = names.link_prefix() + "b1234567", veth = names.link_prefix() + "v7654321";
  const std::string peer = "scpeer" + std::to_string(::getpid() % 100000);
  mycompose::net::create_bridge(nl, bridge, 1500, mycompose::net::parse_ipv4("192.0.2.77", "test"), 32);
  // The undo steps outlive `nl`: each opens its own socket.
  undo.add([bridge] {
    mycompose::net::NetlinkSocket s;
    mycompose::net::delete_link(s, bridge);
  });
  mycompose::UniqueFd self_ns(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  mycompose::net::VethSpec vs;
  vs.host_name = veth;
  vs.peer_name = peer;
  vs.peer_netns_fd = self_ns.get();
  mycompose::net::create_veth(nl, vs);
  undo.add([veth] {
    mycompose::net::NetlinkSocket s;
    mycompose::net::delete_link(s, veth);
  });

  // The root's nft table with rules for that bridge.
  mycompose::net::NatNetwork n;
  n.bridge = bridge;
  n.subnet = mycompose::net::Ipv4Prefix::parse("192.0.2.76/30", "test");
  mycompose::net::apply_nat_rules(names.nft_table(), {n}, "mc");
  undo.add([&] { mycompose::net::delete_nat_table(names.nft_table()); });

  // The socket of an engine killed with -9.
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", (root / "engine.sock").c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::close(fd);
  }

  auto leaks = find_leaks(root);
  INFO(listing(leaks));
  CHECK(kinds(leaks) == "mount bridge veth nft engine ");
  const Leak* m = find_kind(leaks, "mount");
  REQUIRE(m);
  CHECK(m->object == (root / "build-cache/merged").string());
  CHECK(m->how == "tmpfs mount under the root that no container accounts for");
  REQUIRE(find_kind(leaks, "bridge", bridge));
  REQUIRE(find_kind(leaks, "veth", veth));
  const Leak* nft = find_kind(leaks, "nft");
  REQUIRE(nft);
  CHECK(nft->how == "the table exists but no network is recorded");
  CHECK(find_kind(leaks, "engine", (root / "engine.sock").string()));

  auto fixed = mycompose::test::system_check(root, true);
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK(fixed.out.find("Removed 5 of 5 leaks") != std::string::npos);
  CHECK(find_leaks(root).empty());
  CHECK(nl.ifindex(bridge) == 0);
  CHECK(nl.ifindex(veth) == 0);
  CHECK(nl.ifindex(peer) == 0);
  mycompose::test::require_no_leaks(root);
}

TEST_CASE("system check: nothing to find in a root that does not exist or is empty") {
  TempRoot t;
  CHECK(find_leaks(t.dir / "missing").empty());
  CHECK(find_leaks(t.dir).empty());
  auto r = mycompose::test::system_check(t.dir);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "No leaks found in " + t.dir.string() + "\n");
}
