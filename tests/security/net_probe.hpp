#pragma once
// Network probes shared by the security tests: "another host" (a network namespace joined to
// this host by a veth on a /30 the test picks, with routes through this host), a small HTTP
// server that answers a token and records who asked, and an HTTP GET / DNS query made from
// inside a namespace. Everything is removed by the destructors, also after a failed check.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "integration/net/network_test_support.hpp"
#include "mycompose/net/bridge.hpp"
#include "mycompose/net/veth.hpp"

namespace secnet {

using mycompose::UniqueFd;
using mycompose::test::TestNetns;
namespace net = mycompose::net;

// A namespace behind a veth: host side `host_ip`/30 on a link named tn<pid><tag> (never
// "mc…": the isolation rules treat those as bridges), the namespace side host_ip + 1.
struct OtherHost {
  TestNetns ns;
  std::string link, host_ip, ip;

  OtherHost(const std::string& tag, int third_octet)
      : link("tn" + std::to_string(::getpid() % 100000) + tag),
        host_ip("198.18." + std::to_string(third_octet) + ".1"),
        ip("198.18." + std::to_string(third_octet) + ".2") {
    net::NetlinkSocket host;
    net::delete_link(host, link);  // a leftover of a crashed run with the same pid
    UniqueFd fd = ns.ref().open();
    net::create_veth(host, {link, "eth0", fd.get(), 1500, ""});
    net::add_ipv4_address(host, link, net::parse_ipv4(host_ip, "host side"), 30);
    net::set_link_up(host, link);
    auto inside = net::NetlinkSocket::in_netns(fd.get(), "other host");
    net::add_ipv4_address(inside, "eth0", net::parse_ipv4(ip, "other host"), 30);
    net::set_link_up(inside, "eth0");
    net::set_link_up(inside, "lo");
  }
  ~OtherHost() {
    net::NetlinkSocket host;
    net::delete_link(host, link);
  }
  // As a router on its link would: traffic for `subnet` goes through this host.
  void route_via_host(const std::string& subnet) {
    UniqueFd fd = ns.ref().open();
    auto inside = net::NetlinkSocket::in_netns(fd.get(), "other host");
    net::add_route(inside, net::Ipv4Prefix::parse(subnet, "route"), net::parse_ipv4(host_ip, "host side"));
  }
};

// Answers every HTTP request with `token` and remembers the last peer address.
class HttpToken {
 public:
  HttpToken(UniqueFd listener, const std::string& ip, int port, std::string token)
      : listener_(std::move(listener)), token_(std::move(token)) {
    int one = 1;
    ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto a = mycompose::test::inet_address(ip, port);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_.get(), 8) != 0)
      throw std::runtime_error("token server bind/listen " + ip + ":" + std::to_string(port));
    thread_ = std::thread([this] { serve(); });
  }
  // On the host's ip:port.
  HttpToken(const std::string& ip, int port, std::string token)
      : HttpToken(UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), ip, port, std::move(token)) {}
  // In a namespace, on every address.
  HttpToken(const TestNetns& ns, int port, std::string token)
      : HttpToken(ns.socket(SOCK_STREAM), "0.0.0.0", port, std::move(token)) {}
  ~HttpToken() {
    stop_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }
  std::string last_peer() {
    std::lock_guard<std::mutex> l(mu_);
    return peer_;
  }

 private:
  void serve() {
    while (!stop_) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      UniqueFd c(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&from), &len, SOCK_CLOEXEC));
      if (!c) continue;
      char addr[INET_ADDRSTRLEN] = "";
      ::inet_ntop(AF_INET, &from.sin_addr, addr, sizeof addr);
      {
        std::lock_guard<std::mutex> l(mu_);
        peer_ = addr;
      }
      pollfd p{c.get(), POLLIN, 0};
      char buf[2048];
      if (::poll(&p, 1, 2000) == 1) (void)!::read(c.get(), buf, sizeof buf);
      const std::string body = token_ + "\n";
      const std::string reply =
          "HTTP/1.0 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      (void)!::write(c.get(), reply.data(), reply.size());
    }
  }
  UniqueFd listener_;
  std::string token_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string peer_;
  std::thread thread_;
};

// GET / from socket `s` (non-blocking, unconnected) to ip:port; the whole response, "" when
// nothing answers within wait_ms (a reachability deadline, not a speed test).
inline std::string http_get(UniqueFd s, const std::string& ip, int port, int wait_ms = 2000) {
  auto a = mycompose::test::inet_address(ip, port);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) return "";
  pollfd p{s.get(), POLLOUT, 0};
  if (::poll(&p, 1, wait_ms) != 1) return "";
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return "";
  const std::string req = "GET / HTTP/1.0\r\nHost: " + ip + "\r\n\r\n";
  if (::write(s.get(), req.data(), req.size()) != ssize_t(req.size())) return "";
  std::string got;
  for (;;) {
    pollfd r{s.get(), POLLIN, 0};
    if (::poll(&r, 1, wait_ms) != 1) break;
    char buf[4096];
    ssize_t n = ::read(s.get(), buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, std::size_t(n));
  }
  return got;
}

inline std::string http_get(const TestNetns& from, const std::string& ip, int port) {
  return http_get(from.socket(SOCK_STREAM | SOCK_NONBLOCK), ip, port);
}

inline std::string http_get_from_host(const std::string& ip, int port) {
  return http_get(UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)), ip, port);
}

// An A query for `name` over UDP from the namespace to server:53: whether any answer with
// our id came back within wait_ms.
inline bool dns_answers(const TestNetns& from, const std::string& server, const std::string& name, int wait_ms = 2000) {
  std::string q{"\x4d\x43\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12};
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<char>(dot - start));
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += std::string("\x00\x00\x01\x00\x01", 5);
  UniqueFd s = from.socket(SOCK_DGRAM);
  auto a = mycompose::test::inet_address(server, 53);
  if (::sendto(s.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) != ssize_t(q.size())) return false;
  pollfd p{s.get(), POLLIN, 0};
  if (::poll(&p, 1, wait_ms) != 1) return false;
  char buf[1500];
  ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
  return n >= 12 && buf[0] == 0x4d && buf[1] == 0x43;
}

// Whether a TCP connection from the namespace to ip:port is accepted within wait_ms.
inline bool tcp_connects(const TestNetns& from, const std::string& ip, int port, int wait_ms = 2000) {
  UniqueFd s = from.socket(SOCK_STREAM | SOCK_NONBLOCK);
  auto a = mycompose::test::inet_address(ip, port);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) return false;
  pollfd p{s.get(), POLLOUT, 0};
  if (::poll(&p, 1, wait_ms) != 1) return false;
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0;
}

}  // namespace secnet
