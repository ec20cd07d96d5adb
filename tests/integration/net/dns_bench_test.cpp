// Figures for bench/dns.sh, hidden from the test run ("[.]"): DNS query latency from inside a
// network namespace (a "container") to the embedded server on the host end of its veth.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "dns_netns_support.hpp"
#include "mycompose/net/dns_server.hpp"
#include "unit/net/dns_loop_thread.hpp"
#include "unit/net/dns_test_support.hpp"

using namespace nettest;
using namespace mycompose::net;

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

// Sequential queries from a socket made inside the namespace; microseconds per query.
std::vector<double> latencies(const std::string& netns_path, const std::string& server_ip, std::uint16_t port,
                              const std::string& name, int n) {
  std::vector<double> out;
  std::thread t([&] {
    int fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) return;  // this thread only
    close(fd);
    UniqueFd s(socket(AF_INET, SOCK_DGRAM, 0));
    receive_timeout(s.get());
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, server_ip.c_str(), &to.sin_addr);
    connect(s.get(), reinterpret_cast<sockaddr*>(&to), sizeof to);
    char buf[4096];
    for (int i = 0; i < n; ++i) {
      std::string q = dns::serialize(make_query(name, dns::type::A, 0, static_cast<std::uint16_t>(i)));
      auto t0 = std::chrono::steady_clock::now();
      send(s.get(), q.data(), q.size(), 0);
      if (recv(s.get(), buf, sizeof buf, 0) <= 0) return;
      out.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
  });
  t.join();
  return out;
}

void report(const char* what, std::vector<double> v, int n) {
  if (static_cast<int>(v.size()) != n) {
    std::printf("%-44s only %zu of %d queries answered\n", what, v.size(), n);
    return;
  }
  std::sort(v.begin(), v.end());
  std::printf("%-44s p50 %7.1f us   p99 %7.1f us   (%d queries)\n", what, v[v.size() / 2], v[v.size() * 99 / 100], n);
}

}  // namespace

TEST_CASE("dns bench: query latency from inside a network namespace", "[.][bench]") {
  int n = env_int("DNS_BENCH_QUERIES", 5000);
  DnsTestNetns ns;
  FakeUpstream upstream("outside.example", "203.0.113.9");
  LoopThread loop;
  DnsServerOptions o;
  o.port = 0;
  o.upstreams = {upstream.endpoint()};
  auto server = loop.make<DnsServer>(o);
  std::uint16_t port = loop.run([&] {
    server->listen("net1", ns.host_ip);
    std::vector<DnsEndpoint> eps;
    for (int i = 0; i < 50; ++i) eps.push_back({"10.5.1." + std::to_string(i + 2), {"svc" + std::to_string(i), "demo-svc" + std::to_string(i) + "-1"}, "", {}});
    for (int i = 0; i < 3; ++i) eps.push_back({"10.5.0." + std::to_string(i + 2), {"web"}, "", {}});
    server->set_records("net1", eps);
    return server->port_of("net1");
  });
  std::printf("netns %s -> %s:%u (veth), embedded DNS on the engine loop thread\n", ns.name.c_str(), ns.host_ip.c_str(), port);
  latencies(ns.path(), ns.host_ip, port, "web", 200);  // warm-up
  report("A web (3 replicas, 53 endpoints):", latencies(ns.path(), ns.host_ip, port, "web", n), n);
  report("A demo-svc49-1 (container name):", latencies(ns.path(), ns.host_ip, port, "demo-svc49-1", n), n);
  report("A outside.example (forwarded, loopback upstream):", latencies(ns.path(), ns.host_ip, port, "outside.example", n), n);
  server.reset();
}
