// Class: a Dockerfile RUN step reaching the host through its network namespace. A step in
// the host's namespace reaches services bound to the host's 127.0.0.1 (databases, admin
// ports, the cloud metadata proxy...) and sees every host interface; Docker's builder runs it
// on an isolated network with outbound NAT only, and gives the host's network only when the
// one who builds asks (build.network: host; RUN --network=host is buildkit's network.host
// entitlement, which a Dockerfile cannot grant itself).
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "integration/scheduler/cli_project_fixture.hpp"
#include "mycompose/net/names.hpp"
#include "net_probe.hpp"
#include "support/free_port.hpp"

using namespace cli_project;
using secnet::OtherHost;

namespace {

// The Dockerfile of service `app`: `FROM busybox:test` + `steps`.
void build_project(const Project& p, const std::string& steps) {
  stdfs::create_directories(p.dir / "app");
  mycompose::fs::write_file_atomic(p.dir / "app" / "Dockerfile", "FROM busybox:test\n" + steps + "\n");
}

// compose.yaml with service `app` built from ./app; `network` is its build.network ("" = unset).
std::string compose(const std::string& network = "") {
  std::string y = "services:\n  app:\n    build:\n      context: ./app\n";
  if (!network.empty()) y += "      network: " + network + "\n";
  return y;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// Interface names in /proc/net/dev as a RUN step printed it ("#5     lo: 0 0 ...") on the
// build display (stdout).
std::set<std::string> interfaces_in(const std::string& build_output) {
  std::set<std::string> names;
  std::istringstream in(build_output);
  for (std::string line; std::getline(in, line);) {
    auto colon = line.find(':');
    if (line.empty() || line[0] != '#' || colon == std::string::npos) continue;
    std::istringstream words(line.substr(0, colon));
    std::string step, name, extra;
    words >> step >> name;
    if (!name.empty() && !(words >> extra) && line.find('|') == std::string::npos) names.insert(name);
  }
  return names;
}

}  // namespace

TEST_CASE("build run network: a RUN step cannot reach a server on the host's 127.0.0.1") {
  const int port = mycompose::test::free_port();
  secnet::HttpToken local("127.0.0.1", port, "host-loopback-token");
  Project p(compose());
  build_project(p, "RUN busybox timeout 3 wget -q -O- http://127.0.0.1:" + std::to_string(port) + "/ || echo blocked-$((40+2))");
  auto r = p.run({"build"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(has(r.out + r.err, "host-loopback-token"));
  CHECK(has(r.out, "blocked-42"));
}

TEST_CASE("build run network: a RUN step sees only its own interfaces, not the host's") {
  OtherHost marker("i", 243);  // a host interface with a name of our own
  Project p(compose());
  build_project(p, "RUN cat /proc/net/dev");
  auto r = p.run({"build"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(has(r.out + r.err, marker.link));
  CHECK(interfaces_in(r.out) == std::set<std::string>{"lo", "eth0"});
}

TEST_CASE("build run network: a RUN step reaches a routed address outside through the host's NAT") {
  OtherHost outside("o", 244);  // no route back to any build address: only NAT makes it work
  secnet::HttpToken server(outside.ns, 8083, "outside-token");
  Project p(compose());
  build_project(p, "RUN busybox timeout 5 wget -q -O- http://" + outside.ip + ":8083/ && busybox ip -4 -o addr");
  auto r = p.run({"build"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "outside-token"));
  // The server saw the host's address on its link, which the step itself does not have.
  CHECK(server.last_peer() == outside.host_ip);
  CHECK_FALSE(has(r.out + r.err, "inet " + outside.host_ip + "/"));
}

TEST_CASE("build run network: build.network host is the opt-in to the host's network") {
  const int port = mycompose::test::free_port();
  secnet::HttpToken local("127.0.0.1", port, "host-loopback-token");
  Project p(compose("host"));
  build_project(p, "RUN busybox timeout 3 wget -q -O- http://127.0.0.1:" + std::to_string(port) + "/");
  auto r = p.run({"build"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "host-loopback-token"));
}

TEST_CASE("build run network: RUN --network=host is refused unless the build asks for the host's network") {
  const int port = mycompose::test::free_port();
  secnet::HttpToken local("127.0.0.1", port, "host-loopback-token");
  Project p(compose());
  build_project(p, "RUN --network=host busybox timeout 3 wget -q -O- http://127.0.0.1:" + std::to_string(port) + "/");
  auto r = p.run({"build"});
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(has(r.err, "Dockerfile:2: RUN --network=host: network.host is not allowed"));
  CHECK_FALSE(has(r.err, "host-loopback-token"));
}

TEST_CASE("build run network: a build killed during a RUN step leaves nothing system check cannot remove") {
  Project p(compose());
  build_project(p, "RUN echo step-started-$((40+2)); sleep 60");
  const auto root = p.r.root();
  std::string veth;
  {
    Background build(p, {"build"}, "build");
    for (int i = 0; i < 600 && !has(build.out(), "step-started-42"); ++i) {
      REQUIRE(build.running());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(has(build.out(), "step-started-42"));
    auto bn = mycompose::net::NetworkManager(root).build_network();
    REQUIRE(bn);
    REQUIRE(bn->endpoints.size() == 1);
    veth = bn->endpoints.begin()->second.host_veth;
    ::kill(build.pid, SIGKILL);
    build.wait();
  }
  // The step's child outlives the builder to stop its container and disconnect the step,
  // which deletes the veth; the network, that nobody holds any more, goes with it.
  mycompose::net::NetlinkSocket nl;
  for (int i = 0; i < 400 && nl.ifindex(veth) != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(nl.ifindex(veth) == 0);

  auto found = mycompose::test::system_check(root);
  INFO(found.out << found.err);
  CHECK_FALSE(has(found.out + found.err, "build-step"));
  // Whatever is left (a slower step's folders), --fix removes.
  auto fixed = mycompose::test::system_check(root, true);
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  mycompose::test::require_no_leaks(root);
  CHECK(mycompose::net::links_with_prefix(nl, mycompose::net::HostNames(root).link_prefix()).empty());
  CHECK_FALSE(mycompose::net::NetworkManager(root).build_network());
}
