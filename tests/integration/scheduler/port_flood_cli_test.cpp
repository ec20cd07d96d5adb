// Class: exhausting the engine's descriptors through a published port. Each connection to a
// published port costs the engine two descriptors (the client's, the container's); on
// 4e3e14c there was no cap, and 10,000 idle connections made every command of every project
// fail with "Too many open files". Now connections are capped per port and in all, refused
// (reset) past the cap or when descriptors run short of the engine's reserve, and closed
// when idle (the idle timeout itself: tests/integration/net/port_proxy_limits_test.cpp).
#include "cli_project_fixture.hpp"
#include "flood_support.hpp"
#include "support/free_port.hpp"

using namespace cli_project;

namespace {

std::string project(int port) {
  return R"(services:
  web:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["127.0.0.1:)" +
         std::to_string(port) + R"(:8080"]
)";
}

std::string http_get(int port) {
  for (int i = 0; i < 50; ++i) {
    auto r = mycompose::test::run({"busybox", "timeout", "3", "wget", "-q", "-O-", "http://127.0.0.1:" + std::to_string(port) + "/"});
    if (r.exit_code == 0) return r.out;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return "";
}

constexpr int kPerPortCap = 1024;  // PortProxyOptions::max_tcp_connections_per_port

}  // namespace

TEST_CASE("port flood: 10,000 idle connections to a published port leave the engine working for everyone") {
  const int port = mycompose::test::free_port();
  Project p(project(port));
  p.ok({"up", "-d"});
  REQUIRE(http_get(port) == "pong\n");
  const pid_t engine = flood::engine_pid(p.r.root());
  const long before = flood::rss_kb(engine);

  const rlim_t limit = flood::raise_fd_limit();
  int count = 10000;
  if (limit < static_cast<rlim_t>(count) + 500) {
    count = static_cast<int>(limit) - 500;
    WARN("this test process may open only " << limit << " descriptors: " << count << " connections instead of 10,000");
  }
  flood::IdleConnections flood("127.0.0.1", port, count);
  const int refused = flood.closed(2000);
  const long during = flood::rss_kb(engine);
  INFO(flood.conns.size() << " of " << count << " connected (" << flood.failed << " reset or failed before the test looked), " << refused << " of them reset by the engine; engine VmRSS "
                          << before << " kB before, " << during << " kB during");
  CHECK(static_cast<int>(flood.conns.size()) - refused <= kPerPortCap);
  CHECK(refused > 0);
  CHECK(during - before < 64 * 1024);

  // While the connections are held, the engine answers and works for other projects.
  CHECK(p.run({"ps"}).exit_code == 0);
  const stdfs::path other = p.r.dir / "other";
  stdfs::create_directories(other);
  mycompose::fs::write_file_atomic(other / "compose.yaml",
                                   "services:\n  tiny:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  Cli second(p.r.root(), other);
  auto up = second.run({"up", "-d"});
  INFO(up.err);
  UNSCOPED_INFO("engine.log:\n" << mycompose::fs::read_file(p.r.root() / "engine.log"));
  CHECK(up.exit_code == 0);
  CHECK(second.run({"down", "-t", "0"}).exit_code == 0);

  // Once the flood lets go, the port serves again.
  flood.close_all();
  CHECK(http_get(port) == "pong\n");
}
