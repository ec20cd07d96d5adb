// Figures for bench/floods.sh, hidden from the test run ("[.]"): the engine's RSS before,
// at the peak of and after a DNS-over-TCP flood (a container pipelining queries it never
// reads) and a flood of idle connections on a published port.
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "cli_project_fixture.hpp"
#include "flood_support.hpp"
#include "support/free_port.hpp"

using namespace cli_project;

namespace {

// The highest VmRSS of `pid` while `work` runs (sampled every 50 ms).
template <class Work>
long peak_rss_during(pid_t pid, Work work) {
  std::atomic<bool> done{false};
  std::atomic<long> peak{flood::rss_kb(pid)};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), flood::rss_kb(pid));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  work();
  peak = std::max(peak.load(), flood::rss_kb(pid));
  done = true;
  sampler.join();
  return peak;
}

double mb(long kb) { return kb / 1024.0; }

}  // namespace

TEST_CASE("flood bench: engine RSS through a DNS-over-TCP flood and a connection flood", "[.][bench]") {
  const char* mib_env = std::getenv("FLOOD_BENCH_DNS_MIB");
  const char* conn_env = std::getenv("FLOOD_BENCH_CONNECTIONS");
  const std::size_t dns_mib = mib_env ? std::strtoul(mib_env, nullptr, 10) : 64;
  int connections = conn_env ? std::atoi(conn_env) : 10000;
  const int port = mycompose::test::free_port();
  Project p(R"(services:
  flooder:
    image: busybox:test
    command: ["sleep", "1000"]
  web:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["127.0.0.1:)" + std::to_string(port) + R"(:8080"]
)");
  p.ok({"up", "-d"});
  std::string gateway;
  for (const auto& n : mycompose::net::NetworkManager(p.r.root()).list())
    if (n.name == "proj_default") gateway = n.gateway;
  const pid_t engine = flood::engine_pid(p.r.root());
  const pid_t flooder = flood::init_pid(p.r.root(), p.store().find("proj-flooder-1")->id);
  std::this_thread::sleep_for(std::chrono::seconds(1));

  const long idle = flood::rss_kb(engine);
  std::string sent;
  const long dns_peak = peak_rss_during(engine, [&] {
    flood::NetnsChild c(flooder, [&](int report, int hold) {
      flood::pipeline_never_read(report, hold, gateway, "web", dns_mib << 20);
    });
    sent = c.report();
    std::this_thread::sleep_for(std::chrono::seconds(1));  // held open, unread
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long dns_after = flood::rss_kb(engine);
  std::printf("DNS over TCP, one client pipelining queries it never reads (%zu MiB offered, %.1f MiB taken):\n", dns_mib,
              std::atof(sent.c_str()) / (1 << 20));
  std::printf("  engine RSS %7.1f MB idle, %7.1f MB peak (+%.1f MB), %7.1f MB after the client left\n", mb(idle), mb(dns_peak),
              mb(dns_peak - idle), mb(dns_after));

  const rlim_t limit = flood::raise_fd_limit();
  if (limit < static_cast<rlim_t>(connections) + 500) connections = static_cast<int>(limit) - 500;
  const long before = flood::rss_kb(engine);
  std::size_t connected = 0;
  int refused = 0, failed = 0;
  const long conn_peak = peak_rss_during(engine, [&] {
    flood::IdleConnections f("127.0.0.1", port, connections);
    refused = f.closed(2000);
    connected = f.conns.size();
    failed = f.failed;
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const long conn_after = flood::rss_kb(engine);
  // A connection the engine reset before this client polled it counts as failed.
  std::printf("%d idle connections to a published port (%d reset or failed before the client looked, %zu connected, "
              "%d of them reset after, %zu held):\n",
              connections, failed, connected, refused, connected - static_cast<std::size_t>(refused));
  std::printf("  engine RSS %7.1f MB before, %7.1f MB peak (+%.1f MB), %7.1f MB after the clients left\n", mb(before),
              mb(conn_peak), mb(conn_peak - before), mb(conn_after));
}
