// Figures for bench/network.sh, hidden from the test run ("[.]"): network create/remove and
// endpoint connect/disconnect wall time, median of N. Prints; asserts nothing about speed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include "network_test_support.hpp"

using namespace mycompose;
using namespace mycompose::test;

namespace {
double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
double ms_of(const std::function<void()>& f) {
  auto s = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count();
}
}  // namespace

TEST_CASE("network bench: create/remove and connect/disconnect, median of N", "[.][bench]") {
  const char* env = std::getenv("NETWORK_BENCH_N");
  const int n = env ? std::max(1, std::atoi(env)) : 20;
  TempNetRoot root;
  net::NetworkManager nm(root.path());
  std::vector<double> create, remove, connect, disconnect;
  nm.create(Net("bench_keep"));  // so create/remove rewrite a table that has other rules
  TestNetns ns;
  for (int i = 0; i < n; ++i) {
    const std::string name = "bench_" + std::to_string(i);
    create.push_back(ms_of([&] { nm.create(Net(name)); }));
    connect.push_back(ms_of([&] { nm.connect(name, "c", ns.ref()); }));
    disconnect.push_back(ms_of([&] { nm.disconnect(name, "c"); }));
    remove.push_back(ms_of([&] { nm.remove(name); }));
  }
  std::printf("network create (bridge, address, nft table):  median of %d = %.2f ms\n", n, median_ms(create));
  std::printf("network remove:                                median of %d = %.2f ms\n", n, median_ms(remove));
  std::printf("endpoint connect (veth into a netns, address, route): median of %d = %.2f ms\n", n,
              median_ms(connect));
  std::printf("endpoint disconnect:                           median of %d = %.2f ms\n", n,
              median_ms(disconnect));
  SUCCEED();
}
