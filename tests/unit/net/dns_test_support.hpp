#pragma once
// Test helpers for the DNS server: blocking UDP/TCP DNS clients and a fake upstream
// resolver on loopback (never a real outside resolver).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/net/dns_message.hpp"

namespace nettest {

namespace dns = mycompose::net::dns;
using mycompose::UniqueFd;

inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

inline std::uint16_t bound_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// A guard against a hung test, not a measurement: no reply in 5 s is a failure.
inline void receive_timeout(int fd, int seconds = 5) {
  timeval tv{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

inline bool read_exact(int fd, char* p, std::size_t n) {
  while (n) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

inline dns::Message make_query(const std::string& name, std::uint16_t qtype = dns::type::A, std::uint16_t edns_size = 0,
                               std::uint16_t id = 0x4242) {
  dns::Message q;
  q.header.id = id;
  q.header.rd = true;
  q.questions.push_back({name, qtype, dns::kClassIn});
  if (edns_size) q.additional.push_back({"", dns::type::OPT, edns_size, 0, ""});
  return q;
}

inline std::string udp_exchange(std::uint16_t port, const std::string& packet) {
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM, 0));
  receive_timeout(fd.get());
  sockaddr_in to = loopback(port);
  sendto(fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  char buf[65536];
  ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
  if (n < 0) throw std::runtime_error("no UDP answer from 127.0.0.1:" + std::to_string(port));
  return std::string(buf, static_cast<std::size_t>(n));
}

inline std::string tcp_exchange(std::uint16_t port, const std::string& packet) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM, 0));
  receive_timeout(fd.get());
  sockaddr_in to = loopback(port);
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  std::string framed{static_cast<char>(packet.size() >> 8), static_cast<char>(packet.size() & 0xFF)};
  framed += packet;
  if (::write(fd.get(), framed.data(), framed.size()) != static_cast<ssize_t>(framed.size())) throw std::runtime_error("short write");
  unsigned char len[2];
  if (!read_exact(fd.get(), reinterpret_cast<char*>(len), 2)) throw std::runtime_error("no TCP answer");
  std::string out(len[0] << 8 | len[1], '\0');
  if (!read_exact(fd.get(), out.data(), out.size())) throw std::runtime_error("short TCP answer");
  return out;
}

inline dns::Message udp_query(std::uint16_t port, const dns::Message& q) { return dns::parse(udp_exchange(port, dns::serialize(q))); }
inline dns::Message tcp_query(std::uint16_t port, const dns::Message& q) { return dns::parse(tcp_exchange(port, dns::serialize(q))); }

inline std::vector<std::string> a_answers(const dns::Message& m) {
  std::vector<std::string> out;
  for (const auto& r : m.answers)
    if (r.type == dns::type::A) out.push_back(dns::a_text(r.rdata));
  return out;
}

// A resolver on 127.0.0.1 (UDP and TCP on one free port). It knows `name` -> `address`;
// "big.example" is answered truncated over UDP and with 3 addresses over TCP; anything
// else is NXDOMAIN. It counts the queries it got.
class FakeUpstream {
 public:
  // ipv6: on [::1] instead of 127.0.0.1.
  explicit FakeUpstream(std::string name = "example.com", std::string address = "192.0.2.1", bool ipv6 = false)
      : name_(std::move(name)), address_(std::move(address)), ipv6_(ipv6) {
    int family = ipv6 ? AF_INET6 : AF_INET;
    // The UDP port is free; its number may be held on TCP by a connection's local end (a busy
    // loopback has thousands), so another pair is tried then.
    for (int attempt = 1;; ++attempt) {
      udp_.reset(socket(family, SOCK_DGRAM, 0));
      if (!bind_loopback(udp_.get(), 0)) throw std::runtime_error("fake upstream: cannot bind UDP on loopback");
      sockaddr_storage bound{};
      socklen_t blen = sizeof bound;
      getsockname(udp_.get(), reinterpret_cast<sockaddr*>(&bound), &blen);
      port_ = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
      tcp_.reset(socket(family, SOCK_STREAM, 0));
      int one = 1;
      setsockopt(tcp_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (bind_loopback(tcp_.get(), port_) && ::listen(tcp_.get(), 8) == 0) break;
      if (attempt == 16) throw std::runtime_error("fake upstream: cannot listen on TCP port " + std::to_string(port_));
    }
    int p[2];
    if (pipe(p) < 0) throw std::runtime_error("pipe");
    stop_read_.reset(p[0]);
    stop_write_.reset(p[1]);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeUpstream() {
    (void)!::write(stop_write_.get(), "x", 1);
    thread_.join();
  }
  std::string endpoint() const { return (ipv6_ ? "[::1]:" : "127.0.0.1:") + std::to_string(port_); }
  int queries() const { return queries_; }
  int tcp_queries() const { return tcp_queries_; }

 private:
  bool bind_loopback(int fd, std::uint16_t port) {
    if (!ipv6_) {
      sockaddr_in a = loopback(port);
      return bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    a.sin6_addr = in6addr_loopback;
    return bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }

  std::string answer(const std::string& packet, bool tcp) {
    dns::Message q = dns::parse(packet);
    dns::Message r;
    r.header = q.header;
    r.header.qr = true;
    r.header.ra = true;
    r.questions = q.questions;
    std::string name = dns::normalize_name(q.questions.at(0).name);
    if (name == name_) {
      r.answers.push_back({q.questions[0].name, dns::type::A, dns::kClassIn, 30, dns::a_rdata(address_)});
    } else if (name == "big.example") {
      if (tcp) {
        for (const char* a : {"198.51.100.1", "198.51.100.2", "198.51.100.3"})
          r.answers.push_back({q.questions[0].name, dns::type::A, dns::kClassIn, 30, dns::a_rdata(a)});
      } else {
        r.header.tc = true;
      }
    } else {
      r.header.rcode = static_cast<std::uint8_t>(dns::Rcode::NxDomain);
    }
    return dns::serialize(r);
  }

  void serve() {
    for (;;) {
      pollfd fds[3] = {{udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
      if (poll(fds, 3, -1) < 0) continue;
      if (fds[2].revents) return;
      if (fds[0].revents) {
        char buf[65536];
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(udp_.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n > 0) {
          ++queries_;
          std::string out = answer(std::string(buf, static_cast<std::size_t>(n)), false);
          sendto(udp_.get(), out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
      }
      if (fds[1].revents) {
        UniqueFd c(accept(tcp_.get(), nullptr, nullptr));
        receive_timeout(c.get());
        unsigned char len[2];
        if (!read_exact(c.get(), reinterpret_cast<char*>(len), 2)) continue;
        std::string q(len[0] << 8 | len[1], '\0');
        if (!read_exact(c.get(), q.data(), q.size())) continue;
        ++queries_;
        ++tcp_queries_;
        std::string out = answer(q, true);
        std::string framed{static_cast<char>(out.size() >> 8), static_cast<char>(out.size() & 0xFF)};
        framed += out;
        (void)!::write(c.get(), framed.data(), framed.size());
      }
    }
  }

  std::string name_, address_;
  bool ipv6_ = false;
  UniqueFd udp_, tcp_, stop_read_, stop_write_;
  std::uint16_t port_ = 0;
  std::atomic<int> queries_{0}, tcp_queries_{0};
  std::thread thread_;
};

}  // namespace nettest
