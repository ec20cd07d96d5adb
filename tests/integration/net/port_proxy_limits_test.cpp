// Class: holding the engine's descriptors through published ports. Every connection to a
// published TCP port costs the engine two descriptors for as long as the client keeps it;
// on 4e3e14c there was neither a cap nor an idle timeout, so idle clients alone could take
// every descriptor of the engine. Here the proxy runs on a loop of the test's own, with small
// limits, against an echo server on loopback standing in for the container.
#include <catch2/catch.hpp>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "mycompose/net/port_proxy.hpp"
#include "unit/net/dns_loop_thread.hpp"
#include "unit/net/dns_test_support.hpp"

using namespace nettest;
using namespace mycompose::net;

namespace {

// Echoes each connection until its EOF; one thread per connection.
class Echo {
 public:
  Echo() {
    fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a = loopback(0);
    ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_.get(), 64);
    port = bound_port(fd_.get());
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, 100) != 1) continue;
        int c = ::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        conns_.emplace_back([this, c] {
          UniqueFd conn(c);
          char buf[4096];
          for (;;) {
            pollfd q{c, POLLIN, 0};
            if (::poll(&q, 1, 100) != 1) {
              if (stop_) return;
              continue;
            }
            ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0 || ::send(c, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) return;
          }
        });
      }
    });
  }
  ~Echo() {
    stop_ = true;
    thread_.join();
    for (auto& t : conns_) t.join();
  }
  std::uint16_t port = 0;

 private:
  UniqueFd fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> conns_;
};

UniqueFd connect_to(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  receive_timeout(fd.get(), 5);
  sockaddr_in a = loopback(port);
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// Sends `text` and reads the echo: true when it came back whole.
bool echoes(int fd, const std::string& text) {
  if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) return false;
  std::string got(text.size(), '\0');
  return read_exact(fd, got.data(), got.size()) && got == text;
}

// Whether the proxy closed or reset the connection within `wait_ms`.
bool closed_within(int fd, int wait_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, wait_ms) != 1) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

std::uint16_t publish(LoopThread& loop, PortProxy& proxy, std::uint16_t container_port) {
  return loop.run([&] {
    return proxy.publish({"127.0.0.1", 0, 0, Protocol::Tcp, "127.0.0.1", container_port, 0, "proj-web-1"}).at(0).host_port;
  });
}

}  // namespace

TEST_CASE("port proxy limits: past the per-port cap a new connection is reset, and a freed slot takes the next") {
  Echo echo;
  LoopThread loop;
  PortProxyOptions o;
  o.max_tcp_connections_per_port = 3;
  auto proxy = loop.make<PortProxy>(o);
  const std::uint16_t port = publish(loop, *proxy, echo.port);

  std::vector<UniqueFd> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(connect_to(port));
    REQUIRE(echoes(held.back().get(), "hello " + std::to_string(i)));
  }
  UniqueFd fourth = connect_to(port);  // the kernel completes it; the proxy resets it
  CHECK(closed_within(fourth.get(), 5000));
  for (auto& c : held) CHECK(echoes(c.get(), "still here"));

  held.pop_back();  // the client leaves: its slot is free once the proxy has seen it go
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    UniqueFd next = connect_to(port);
    served = echoes(next.get(), "next");
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(served);
  proxy.reset();
}

TEST_CASE("port proxy limits: the cap over all published ports holds across ports") {
  Echo echo;
  LoopThread loop;
  PortProxyOptions o;
  o.max_tcp_connections = 2;
  auto proxy = loop.make<PortProxy>(o);
  const std::uint16_t a = publish(loop, *proxy, echo.port), b = publish(loop, *proxy, echo.port);
  UniqueFd a1 = connect_to(a), b1 = connect_to(b);
  REQUIRE(echoes(a1.get(), "a1"));
  REQUIRE(echoes(b1.get(), "b1"));
  UniqueFd b2 = connect_to(b);
  CHECK(closed_within(b2.get(), 5000));
  CHECK(echoes(a1.get(), "a1 again"));
  proxy.reset();
}

TEST_CASE("port proxy limits: an idle connection is closed after the idle timeout, a busy one is not") {
  Echo echo;
  LoopThread loop;
  PortProxyOptions o;
  o.tcp_idle_timeout = std::chrono::milliseconds(1500);
  auto proxy = loop.make<PortProxy>(o);
  const std::uint16_t port = publish(loop, *proxy, echo.port);
  UniqueFd idle = connect_to(port), busy = connect_to(port);
  REQUIRE(echoes(idle.get(), "once"));
  // The busy one talks every 100 ms for three idle timeouts; the idle one says nothing.
  bool busy_ok = true;
  for (int i = 0; i < 45 && busy_ok; ++i) {
    busy_ok = echoes(busy.get(), "tick");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(busy_ok);
  CHECK(closed_within(idle.get(), 5000));
  CHECK(echoes(busy.get(), "still"));
  proxy.reset();
}
