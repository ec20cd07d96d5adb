// Class: a container exhausting the engine through the embedded DNS server, which every
// project's containers share. On 4e3e14c a DNS-over-TCP client that pipelined queries and
// never read the answers grew the engine from 12.8 MB to 900 MB in 2.5 s (every answer was
// queued in memory, never released), and TCP connections were not counted at all (each one a
// descriptor of the engine's). The limits: per connection, queries in flight and answer bytes
// waiting (past them the connection is not read); connections per client and in all.
#include "cli_project_fixture.hpp"
#include "flood_support.hpp"

using namespace cli_project;

namespace {

const char* const kProject = R"(services:
  flooder:
    image: busybox:test
    command: ["sleep", "1000"]
  web:
    image: busybox:test
    command: ["sleep", "1000"]
)";

struct Setup {
  Project p{kProject};
  std::string gateway, web_ip;
  pid_t flooder = 0, web = 0, engine = 0;

  Setup() {
    p.ok({"up", "-d"});
    for (const auto& n : mycompose::net::NetworkManager(p.r.root()).list()) {
      if (n.name != "proj_default") continue;
      gateway = n.gateway;
      web_ip = n.endpoints.at(p.store().find("proj-web-1")->id).ip;
    }
    REQUIRE(!gateway.empty());
    flooder = flood::init_pid(p.r.root(), p.store().find("proj-flooder-1")->id);
    web = flood::init_pid(p.r.root(), p.store().find("proj-web-1")->id);
    engine = flood::engine_pid(p.r.root());
  }
  // An A lookup over TCP from the container of `pid` ("none" when unanswered).
  std::string tcp_lookup(pid_t pid, const std::string& name) {
    flood::NetnsChild c(pid, [&](int report, int) { flood::tcp_lookup(report, gateway, name); });
    auto r = c.report(15000);
    return r.empty() ? "none" : r.substr(0, r.size() - 1);
  }
};

constexpr long kBoundKb = 64 * 1024;  // the issue's bound on the engine's growth

}  // namespace

TEST_CASE("dns flood: a client that pipelines queries over TCP and never reads costs the engine a bounded amount") {
  Setup s;
  REQUIRE(s.tcp_lookup(s.web, "flooder") != "none");  // warm: the server answers over TCP
  const long before = flood::rss_kb(s.engine);

  // 16 MB of queries for a name the server answers itself (about 700,000 answers).
  flood::NetnsChild flooder(s.flooder, [&](int report, int hold) {
    flood::pipeline_never_read(report, hold, s.gateway, "web", 16u << 20);
  });
  const std::string sent = flooder.report();
  const long during = flood::rss_kb(s.engine);
  INFO("engine VmRSS " << before << " kB before, " << during << " kB while the flooder holds its connection; it sent "
                       << sent << " bytes of queries");
  CHECK(during - before < kBoundKb);
  // Everyone else is still answered, over UDP and TCP, while the flooder holds on.
  auto udp = s.p.run({"exec", "-T", "web", "nslookup", "flooder"});
  INFO(udp.out << udp.err);
  CHECK(udp.out.find("Address") != std::string::npos);
  CHECK(s.tcp_lookup(s.web, "flooder") != "none");

  flooder.stop();
  CHECK(s.tcp_lookup(s.flooder, "web") == s.web_ip);  // the flooder itself, once it behaves
  const long after = flood::rss_kb(s.engine);
  INFO("engine VmRSS " << after << " kB after the flooder left");
  CHECK(after - before < kBoundKb);
}

TEST_CASE("dns flood: one client's idle TCP connections are capped, the others are still answered over TCP") {
  Setup s;
  // 64 idle connections from one container: past its share (16) the server closes them.
  // Waiting 3 s is well under the idle timeout (10 s), so only the cap can close them.
  flood::NetnsChild idle(s.flooder, [&](int report, int hold) { flood::idle_connections(report, hold, s.gateway, 64, 3000); });
  const std::string line = idle.report();
  INFO("closed, connected: " << line);
  int closed = -1, connected = -1;
  REQUIRE(std::sscanf(line.c_str(), "%d %d", &closed, &connected) == 2);
  CHECK(connected == 64);
  CHECK(closed >= 64 - 16);
  // With the flooder's connections held, another container still gets its answers over TCP.
  CHECK(s.tcp_lookup(s.web, "flooder") != "none");
}
