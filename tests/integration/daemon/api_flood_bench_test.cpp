// Not a test (hidden, run by bench/api-flood.sh): the engine's RSS before, during and after a
// flood of API connections, half of them idle and half sending a request they never finish,
// and how long a /_ping takes meanwhile. API_FLOOD_CONNECTIONS sets the count (10,000).
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

#include "engine_helpers.hpp"

using namespace enginetest;

namespace {

long rss_kb(pid_t pid) {
  std::string status = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

double ping_ms(const stdfs::path& sock) {
  auto t0 = std::chrono::steady_clock::now();
  Answer a = request(sock, "GET", "/_ping");
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return a.status == 200 ? ms : -1;
}

}  // namespace

TEST_CASE("api flood bench: engine RSS and ping latency under an API connection flood", "[.][bench]") {
  const char* env = std::getenv("API_FLOOD_CONNECTIONS");
  const int count = env ? std::atoi(env) : 10000;
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);

  EngineRoot root;
  pid_t pid = root.start_engine();
  const long idle = rss_kb(pid);
  std::vector<int> fds;
  const std::string partial = "POST /projects/x/up HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n" + std::string(60000, ' ');
  int refused = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; ++tries) {
      fd = connect_socket(root.sock(), true);
      if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (fd < 0) {
      ++refused;
      continue;
    }
    if (i % 2) (void)!::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  const double flood_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<double> pings;
  for (int i = 0; i < 20; ++i) pings.push_back(ping_ms(root.sock()));
  std::sort(pings.begin(), pings.end());
  const long during = rss_kb(pid);
  json info = json::parse(request(root.sock(), "GET", "/info").body);
  for (int fd : fds) ::close(fd);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  request(root.sock(), "GET", "/_ping");
  const long after = rss_kb(pid);

  std::printf("API flood: %d connections (%d could not connect) in %.1f s, half idle, half holding 60 KB of an unfinished request\n",
              count, refused, flood_s);
  std::printf("engine RSS: %ld kB idle, %ld kB during the flood (+%ld kB), %ld kB 2 s after it (+%ld kB)\n", idle, during,
              during - idle, after, after - idle);
  std::printf("/_ping during the flood: median %.1f ms, max %.1f ms (-1: failed)\n", pings[pings.size() / 2], pings.back());
  std::printf("engine: %s connections held (cap %s), %s evicted, %s refused, %s dropped\n", info["Connections"].dump().c_str(),
              info["Api"]["MaxConnections"].dump().c_str(), info["Api"]["Evicted"].dump().c_str(), info["Api"]["Refused"].dump().c_str(),
              info["Api"]["Dropped"].dump().c_str());
  ::kill(pid, SIGTERM);
  root.wait_engine(pid);
}
