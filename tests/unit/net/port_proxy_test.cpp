// Published ports through the userland proxy: TCP and UDP echo servers on loopback stand in
// for containers; everything is on 127.0.0.1.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <mutex>

#include "dns_loop_thread.hpp"
#include "dns_test_support.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/net/port_proxy.hpp"

using namespace nettest;
using mycompose::net::PortBinding;
using mycompose::net::PortProxy;
using mycompose::net::PortProxyOptions;
using mycompose::net::Protocol;
using mycompose::net::PublishedPort;

namespace {

// Echoes every TCP connection back until the client's EOF, then closes its side.
class TcpEcho {
 public:
  TcpEcho() {
    fd_.reset(socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a = loopback(0);
    bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_.get(), 16);
    port = bound_port(fd_.get());
    int p[2];
    (void)!pipe(p);
    stop_r_.reset(p[0]);
    stop_w_.reset(p[1]);
    accept_thread_ = std::thread([this] { serve(); });
  }
  ~TcpEcho() {
    (void)!::write(stop_w_.get(), "x", 1);
    accept_thread_.join();
    for (auto& t : conns_) t.join();
  }
  std::uint16_t port = 0;

 private:
  void serve() {
    for (;;) {
      pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {stop_r_.get(), POLLIN, 0}};
      poll(fds, 2, -1);
      if (fds[1].revents) return;
      int c = accept(fd_.get(), nullptr, nullptr);
      if (c < 0) continue;
      conns_.emplace_back([c] {
        UniqueFd conn(c);
        receive_timeout(c, 20);
        char buf[65536];
        for (ssize_t n; (n = ::read(c, buf, sizeof buf)) > 0;)
          if (::write(c, buf, static_cast<std::size_t>(n)) != n) return;
      });
    }
  }
  UniqueFd fd_, stop_r_, stop_w_;
  std::thread accept_thread_;
  std::vector<std::thread> conns_;
};

// Answers each datagram with "<payload>@<sender port>".
class UdpEcho {
 public:
  UdpEcho() {
    fd_.reset(socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in a = loopback(0);
    bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    port = bound_port(fd_.get());
    int p[2];
    (void)!pipe(p);
    stop_r_.reset(p[0]);
    stop_w_.reset(p[1]);
    thread_ = std::thread([this] {
      for (;;) {
        pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {stop_r_.get(), POLLIN, 0}};
        poll(fds, 2, -1);
        if (fds[1].revents) return;
        char buf[2048];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0) continue;
        std::string out = std::string(buf, static_cast<std::size_t>(n)) + "@" + std::to_string(ntohs(from.sin_port));
        sendto(fd_.get(), out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    });
  }
  ~UdpEcho() {
    (void)!::write(stop_w_.get(), "x", 1);
    thread_.join();
  }
  std::uint16_t port = 0;

 private:
  UniqueFd fd_, stop_r_, stop_w_;
  std::thread thread_;
};

UniqueFd tcp_connect(std::uint16_t port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM, 0));
  receive_timeout(fd.get(), 20);
  sockaddr_in a = loopback(port);
  REQUIRE(connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

std::string udp_roundtrip(int fd, std::uint16_t port, const std::string& payload) {
  sockaddr_in to = loopback(port);
  sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  char buf[2048];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n < 0 ? "<no answer>" : std::string(buf, static_cast<std::size_t>(n));
}

// A port that was free a moment ago.
std::uint16_t free_port(int type = SOCK_STREAM) {
  UniqueFd fd(socket(AF_INET, type, 0));
  sockaddr_in a = loopback(0);
  bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  return bound_port(fd.get());
}

PortBinding binding(std::uint16_t host_port, std::uint16_t container_port, Protocol p = Protocol::Tcp, std::string owner = "demo-web-1") {
  PortBinding b;
  b.host_ip = "127.0.0.1";
  b.host_port = host_port;
  b.protocol = p;
  b.container_ip = "127.0.0.1";
  b.container_port = container_port;
  b.owner = std::move(owner);
  return b;
}

}  // namespace

TEST_CASE("port proxy: TCP through an ephemeral published port, half-close and a large transfer") {
  TcpEcho echo;
  LoopThread loop;
  auto proxy = loop.make<PortProxy>(PortProxyOptions{});
  auto out = loop.run([&] { return proxy->publish(binding(0, echo.port)); });
  REQUIRE(out.size() == 1);
  std::uint16_t port = out[0].host_port;
  CHECK(port != 0);
  CHECK(port != echo.port);
  CHECK(out[0] == PublishedPort{"127.0.0.1", port, Protocol::Tcp, "127.0.0.1", echo.port, "demo-web-1"});
  CHECK(loop.run([&] { return proxy->published(); }) == out);

  {
    UniqueFd c = tcp_connect(port);
    REQUIRE(::write(c.get(), "hello", 5) == 5);
    shutdown(c.get(), SHUT_WR);  // our EOF reaches the echo server, its reply still comes back
    CHECK(read_all(c.get()) == "hello");
  }

  // 16 MiB both ways at once: more than the high-water mark, so reading pauses and resumes.
  std::string data(16 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 4096);
  UniqueFd c = tcp_connect(port);
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(c.get(), data.data() + off, std::min<std::size_t>(1 << 16, data.size() - off));
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    shutdown(c.get(), SHUT_WR);
  });
  std::string got = read_all(c.get());
  writer.join();
  CHECK(got.size() == data.size());
  CHECK(got == data);
  proxy.reset();
}

TEST_CASE("port proxy: UDP with one flow per client") {
  UdpEcho echo;
  LoopThread loop;
  auto proxy = loop.make<PortProxy>(PortProxyOptions{});
  std::uint16_t port = loop.run([&] { return proxy->publish(binding(0, echo.port, Protocol::Udp)).at(0).host_port; });
  CHECK(port != 0);
  UniqueFd a(socket(AF_INET, SOCK_DGRAM, 0)), b(socket(AF_INET, SOCK_DGRAM, 0));
  receive_timeout(a.get());
  receive_timeout(b.get());
  std::string ra1 = udp_roundtrip(a.get(), port, "one");
  std::string rb = udp_roundtrip(b.get(), port, "two");
  std::string ra2 = udp_roundtrip(a.get(), port, "three");
  REQUIRE(ra1.rfind("one@", 0) == 0);
  REQUIRE(rb.rfind("two@", 0) == 0);
  REQUIRE(ra2.rfind("three@", 0) == 0);
  // The echo server saw client a through one proxy socket both times, b through another.
  CHECK(ra1.substr(4) == ra2.substr(6));
  CHECK(ra1.substr(4) != rb.substr(4));
  proxy.reset();
}

TEST_CASE("port proxy: an idle UDP flow is dropped and a new one made") {
  UdpEcho echo;
  LoopThread loop;
  PortProxyOptions o;
  o.udp_idle_timeout = std::chrono::milliseconds(50);
  auto proxy = loop.make<PortProxy>(o);
  std::uint16_t port = loop.run([&] { return proxy->publish(binding(0, echo.port, Protocol::Udp)).at(0).host_port; });
  UniqueFd a(socket(AF_INET, SOCK_DGRAM, 0));
  receive_timeout(a.get());
  std::string first = udp_roundtrip(a.get(), port, "x");
  usleep(500 * 1000);  // ten idle timeouts: the sweep has dropped the flow
  std::string second = udp_roundtrip(a.get(), port, "x");
  REQUIRE(first.rfind("x@", 0) == 0);
  REQUIRE(second.rfind("x@", 0) == 0);
  CHECK(first != second);  // a new flow socket, so another source port at the echo server
  proxy.reset();
}

TEST_CASE("port proxy: past the UDP flow limit the least recently used flow makes room") {
  UdpEcho echo;
  LoopThread loop;
  PortProxyOptions o;
  o.max_udp_flows = 2;
  auto proxy = loop.make<PortProxy>(o);
  std::uint16_t port = loop.run([&] { return proxy->publish(binding(0, echo.port, Protocol::Udp)).at(0).host_port; });
  UniqueFd a(socket(AF_INET, SOCK_DGRAM, 0)), b(socket(AF_INET, SOCK_DGRAM, 0)), c(socket(AF_INET, SOCK_DGRAM, 0));
  for (int fd : {a.get(), b.get(), c.get()}) receive_timeout(fd);
  std::string a1 = udp_roundtrip(a.get(), port, "a");
  std::string b1 = udp_roundtrip(b.get(), port, "b");
  std::string a2 = udp_roundtrip(a.get(), port, "a");  // a is now more recent than b
  std::string c1 = udp_roundtrip(c.get(), port, "c");  // evicts b
  std::string a3 = udp_roundtrip(a.get(), port, "a");
  std::string b2 = udp_roundtrip(b.get(), port, "b");  // a new flow for b (evicts c)
  CHECK(a1 == a2);
  CHECK(a2 == a3);
  REQUIRE(c1.rfind("c@", 0) == 0);
  REQUIRE(b2.rfind("b@", 0) == 0);
  CHECK(b1 != b2);
  proxy.reset();
}

TEST_CASE("port proxy: a port we publish twice names its owner") {
  TcpEcho echo;
  LoopThread loop;
  auto proxy = loop.make<PortProxy>(PortProxyOptions{});
  std::uint16_t port = free_port();
  loop.run([&] { return proxy->publish(binding(port, echo.port)); });
  std::string p = std::to_string(port);
  CHECK_THROWS_WITH(loop.run([&] { return proxy->publish(binding(port, echo.port, Protocol::Tcp, "demo-api-1")); }),
                    "cannot publish 127.0.0.1:" + p + "/tcp: port is already published by demo-web-1");
  PortBinding any = binding(port, echo.port, Protocol::Tcp, "demo-api-1");
  any.host_ip = "0.0.0.0";
  CHECK_THROWS_WITH(loop.run([&] { return proxy->publish(any); }),
                    "cannot publish 0.0.0.0:" + p + "/tcp: port is already published by demo-web-1");
  // The same number over UDP is another port.
  CHECK(loop.run([&] { return proxy->publish(binding(port, echo.port, Protocol::Udp)); }).size() == 1);

  // unpublish frees it.
  loop.run([&] { proxy->unpublish("127.0.0.1", port, Protocol::Tcp); });
  CHECK(loop.run([&] { return proxy->publish(binding(port, echo.port, Protocol::Tcp, "demo-api-1")); }).at(0).host_port == port);
  loop.run([&] { proxy->unpublish_owner("demo-api-1"); });
  CHECK(loop.run([&] { return proxy->published(); }).size() == 1);  // the UDP one
  proxy.reset();
}

TEST_CASE("port proxy: a port held by another process names the process") {
  LoopThread loop;
  auto proxy = loop.make<PortProxy>(PortProxyOptions{});
  UniqueFd holder(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a = loopback(0);
  bind(holder.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(holder.get(), 1);
  std::uint16_t port = bound_port(holder.get());
  std::string me = "process " + std::to_string(getpid()) + " (unit_net)";
  CHECK_THROWS_WITH(loop.run([&] { return proxy->publish(binding(port, 9)); }),
                    "cannot publish 127.0.0.1:" + std::to_string(port) + "/tcp: port is already in use by " + me);

  UniqueFd uholder(socket(AF_INET, SOCK_DGRAM, 0));
  bind(uholder.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  std::uint16_t uport = bound_port(uholder.get());
  CHECK_THROWS_WITH(loop.run([&] { return proxy->publish(binding(uport, 9, Protocol::Udp)); }),
                    "cannot publish 127.0.0.1:" + std::to_string(uport) + "/udp: port is already in use by " + me);
  CHECK(mycompose::net::port_holder(Protocol::Tcp, port) == me);
  CHECK(loop.run([&] { return proxy->published(); }).empty());
  proxy.reset();
}

TEST_CASE("port proxy: ranges map port to port, a host range finds a free port, all or nothing") {
  TcpEcho echo;
  LoopThread loop;
  auto proxy = loop.make<PortProxy>(PortProxyOptions{});
  // Two ephemeral host ports for a container range of two.
  PortBinding r = binding(0, echo.port);
  r.container_port_end = echo.port + 1;
  auto two = loop.run([&] { return proxy->publish(r); });
  REQUIRE(two.size() == 2);
  CHECK(two[0].container_port == echo.port);
  CHECK(two[1].container_port == echo.port + 1);
  CHECK(two[0].host_port != two[1].host_port);
  {
    UniqueFd c = tcp_connect(two[0].host_port);
    REQUIRE(::write(c.get(), "r", 1) == 1);
    shutdown(c.get(), SHUT_WR);
    CHECK(read_all(c.get()) == "r");
  }

  // A host range for one container port: the first port is held, the next one is taken.
  UniqueFd holder(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a = loopback(0);
  bind(holder.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(holder.get(), 1);
  std::uint16_t held = bound_port(holder.get());
  UniqueFd probe(socket(AF_INET, SOCK_STREAM, 0));
  a = loopback(static_cast<std::uint16_t>(held + 1));
  bool next_free = bind(probe.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  probe.reset();
  if (next_free) {
    PortBinding range = binding(held, echo.port, Protocol::Tcp, "demo-range-1");
    range.host_port_end = held + 1;
    auto got = loop.run([&] { return proxy->publish(range); });
    REQUIRE(got.size() == 1);
    CHECK(got[0].host_port == held + 1);
  }

  // Pairwise with one pair taken: nothing of the range stays published.
  std::size_t before = loop.run([&] { return proxy->published(); }).size();
  PortBinding pairwise = binding(static_cast<std::uint16_t>(held - 1), echo.port, Protocol::Tcp, "demo-pair-1");
  pairwise.host_port_end = held;
  pairwise.container_port_end = echo.port + 1;
  CHECK_THROWS_WITH(loop.run([&] { return proxy->publish(pairwise); }),
                    Catch::Matchers::EndsWith(":" + std::to_string(held) + "/tcp: port is already in use by process " +
                                              std::to_string(getpid()) + " (unit_net)"));
  CHECK(loop.run([&] { return proxy->published(); }).size() == before);

  PortBinding bad = binding(8000, 80);
  bad.host_port_end = 8002;
  bad.container_port_end = 81;
  CHECK_THROWS_WITH(loop.run([&] { return proxy->publish(bad); }),
                    "cannot publish port: host range 8000-8002 and container range 80-81 differ in length");
  proxy.reset();
}
