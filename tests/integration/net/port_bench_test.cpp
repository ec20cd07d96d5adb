// Figures for bench/ports.sh, hidden from the test run ("[.]"): TCP throughput through a
// published port (127.0.0.1 -> proxy -> veth -> namespace) beside the same transfer
// straight to the namespace address.
#include <catch2/catch.hpp>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "dns_netns_support.hpp"
#include "mycompose/net/port_proxy.hpp"
#include "unit/net/dns_loop_thread.hpp"
#include "unit/net/dns_test_support.hpp"

using namespace nettest;
using namespace mycompose::net;

namespace {

// Reads each connection to its end, then answers one byte (so the sender knows all arrived).
void sink(int ready) {
  int t = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(9000);
  if (bind(t, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(t, 8) != 0) _exit(2);
  (void)!write(ready, "r", 1);
  static char buf[1 << 18];
  for (;;) {
    int c = accept(t, nullptr, nullptr);
    while (read(c, buf, sizeof buf) > 0) {
    }
    (void)!write(c, "k", 1);
    close(c);
  }
}

// Seconds to push `bytes` to ip:port and get the sink's acknowledgement.
double transfer(const std::string& ip, std::uint16_t port, std::size_t bytes) {
  static std::string chunk(1 << 18, 'x');
  UniqueFd c(socket(AF_INET, SOCK_STREAM, 0));
  receive_timeout(c.get(), 60);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  auto t0 = std::chrono::steady_clock::now();
  if (connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -1;
  for (std::size_t sent = 0; sent < bytes;) {
    ssize_t n = write(c.get(), chunk.data(), std::min(chunk.size(), bytes - sent));
    if (n <= 0) return -1;
    sent += static_cast<std::size_t>(n);
  }
  shutdown(c.get(), SHUT_WR);
  char k;
  if (read(c.get(), &k, 1) != 1) return -1;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median_mbps(const std::string& ip, std::uint16_t port, std::size_t bytes, int runs) {
  std::vector<double> rates;
  for (int i = 0; i < runs; ++i) {
    double s = transfer(ip, port, bytes);
    if (s > 0) rates.push_back(bytes / s / 1e6);
  }
  if (rates.empty()) return 0;
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

TEST_CASE("port bench: throughput through a published TCP port", "[.][bench]") {
  const char* mib_env = std::getenv("PORT_BENCH_MIB");
  std::size_t mib = mib_env ? std::strtoul(mib_env, nullptr, 10) : 512;
  int runs = 5;
  DnsTestNetns ns;
  NetnsChild child(ns.path(), sink);
  LoopThread loop;
  auto proxy = loop.make<PortProxy>(PortProxyOptions{});
  std::uint16_t port = loop.run([&] {
    return proxy->publish({"127.0.0.1", 0, 0, Protocol::Tcp, ns.ns_ip, 9000, 0, "bench"}).at(0).host_port;
  });
  transfer(ns.ns_ip, 9000, 16 << 20);  // warm-up
  double direct = median_mbps(ns.ns_ip, 9000, mib << 20, runs);
  double proxied = median_mbps("127.0.0.1", port, mib << 20, runs);
  std::printf("%zu MiB per transfer, median of %d, sink in netns %s\n", mib, runs, ns.name.c_str());
  std::printf("straight to %s:9000 (veth):           %8.0f MB/s\n", ns.ns_ip.c_str(), direct);
  std::printf("through 127.0.0.1:%u (port proxy + veth): %8.0f MB/s  (%.0f%% of straight)\n", port, proxied,
              direct > 0 ? 100 * proxied / direct : 0);
  proxy.reset();
}
