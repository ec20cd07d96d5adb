#pragma once
// Floods against a real engine, shared by the flood tests and bench/floods.sh: the engine's
// RSS, DNS-over-TCP clients inside a container's network namespace (forked children: setns
// applies to them alone) and many idle TCP connections to a published port.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mycompose/common/fs.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/net/dns_message.hpp"
#include "mycompose/net/network_manager.hpp"

namespace flood {

namespace stdfs = std::filesystem;
namespace dns = mycompose::net::dns;
using mycompose::UniqueFd;

inline pid_t engine_pid(const stdfs::path& root) {
  return static_cast<pid_t>(std::stol(mycompose::fs::read_file(root / "engine.pid")));
}

// VmRSS of a process in kB.
inline long rss_kb(pid_t pid) {
  const std::string s = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = s.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(s.substr(at + 6));
}

// The container init's pid (host pid namespace), from the runtime's state.
inline pid_t init_pid(const stdfs::path& root, const std::string& container_id) {
  auto state = nlohmann::json::parse(mycompose::fs::read_file(root / "runtime" / container_id / "state.json"));
  return state.at("pid").get<pid_t>();
}

inline sockaddr_in address(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// A TCP DNS message (2-byte length, then the query) asking for `name`'s A record.
inline std::string framed_query(const std::string& name, std::uint16_t id) {
  dns::Message q;
  q.header.id = id;
  q.header.rd = true;
  q.questions.push_back({name, dns::type::A, dns::kClassIn});
  const std::string wire = dns::serialize(q);
  return std::string{static_cast<char>(wire.size() >> 8), static_cast<char>(wire.size() & 0xFF)} + wire;
}

// Blocking connect within `wait_ms`; an invalid fd when it did not connect.
inline UniqueFd connect_tcp(const std::string& ip, int port, int wait_ms = 5000) {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  auto a = address(ip, port);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) return {};
  pollfd p{s.get(), POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (::poll(&p, 1, wait_ms) != 1 || ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return {};
  return s;
}

// Whether the peer closed or reset `fd` within `wait_ms` (it sent nothing meanwhile).
inline bool closed_by_peer(int fd, int wait_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, wait_ms) != 1) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

// A forked child in the network namespace of process `pid`, running `body(report_fd,
// hold_fd)`: it writes its result to report_fd and may wait for hold_fd to reach EOF (the
// parent letting go). Killed and reaped on destruction.
class NetnsChild {
 public:
  template <class Body>
  NetnsChild(pid_t pid, Body body) {
    int report[2], hold[2];
    if (::pipe2(report, O_CLOEXEC) != 0 || ::pipe2(hold, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    const std::string ns = "/proc/" + std::to_string(pid) + "/ns/net";
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::close(report[0]);
      ::close(hold[1]);
      int fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) ::_exit(3);
      body(report[1], hold[0]);
      ::_exit(0);
    }
    ::close(report[1]);
    ::close(hold[0]);
    report_.reset(report[0]);
    hold_.reset(hold[1]);
  }
  NetnsChild(const NetnsChild&) = delete;
  NetnsChild& operator=(const NetnsChild&) = delete;
  ~NetnsChild() { stop(); }

  // What the child reported (up to EOF or `wait_ms`).
  std::string report(int wait_ms = 120000) {
    std::string out;
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
      pollfd p{report_.get(), POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) != 1) break;
      char buf[512];
      ssize_t n = ::read(report_.get(), buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
      if (out.back() == '\n') break;
    }
    return out;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  UniqueFd report_, hold_;
};

// Child body: one TCP connection to server:53 that pipelines queries for `name` and never
// reads, until `max_bytes` went out or the server stopped taking them (no progress for
// `stall_ms`: its socket buffers are full). Reports "<bytes sent>\n", then holds the
// connection open until the parent lets go.
inline void pipeline_never_read(int report, int hold, const std::string& server, const std::string& name,
                                std::size_t max_bytes, int stall_ms = 2000) {
  std::string batch;
  for (int i = 0; i < 256; ++i) batch += framed_query(name, static_cast<std::uint16_t>(i));
  UniqueFd s = connect_tcp(server, 53);
  std::size_t sent = 0;
  while (s && sent < max_bytes) {
    ssize_t n = ::send(s.get(), batch.data(), batch.size(), MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN) break;
    pollfd p{s.get(), POLLOUT, 0};
    if (::poll(&p, 1, stall_ms) != 1) break;  // the server stopped reading
  }
  const std::string line = std::to_string(sent) + "\n";
  (void)!::write(report, line.data(), line.size());
  char c;
  (void)!::read(hold, &c, 1);  // until the parent lets go
}

// Child body: one query for `name` over TCP; reports the A answers ("1.2.3.4 5.6.7.8\n"),
// "none\n" when there was no answer.
inline void tcp_lookup(int report, const std::string& server, const std::string& name) {
  std::string result = "none";
  UniqueFd s = connect_tcp(server, 53);
  const std::string q = framed_query(name, 0x4242);
  std::string in;
  if (s && ::send(s.get(), q.data(), q.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(q.size())) {
    for (;;) {
      pollfd p{s.get(), POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) break;
      char buf[4096];
      ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
      if (in.size() >= 2 && in.size() >= 2u + (static_cast<unsigned char>(in[0]) << 8 | static_cast<unsigned char>(in[1]))) break;
    }
  }
  try {
    if (in.size() > 2) {
      auto m = dns::parse(std::string_view(in).substr(2));
      result.clear();
      for (const auto& r : m.answers)
        if (r.type == dns::type::A) result += (result.empty() ? "" : " ") + dns::a_text(r.rdata);
      if (result.empty()) result = "none";
    }
  } catch (const std::exception&) {
  }
  result += "\n";
  (void)!::write(report, result.data(), result.size());
}

// Child body: `count` idle TCP connections to server:53; reports how many the server closed
// within `wait_ms` ("<closed> <connected>\n").
inline void idle_connections(int report, int hold, const std::string& server, int count, int wait_ms) {
  std::vector<UniqueFd> conns;
  for (int i = 0; i < count; ++i)
    if (auto c = connect_tcp(server, 53)) conns.push_back(std::move(c));
  int closed = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  std::vector<bool> done(conns.size(), false);
  while (std::chrono::steady_clock::now() < end) {
    for (std::size_t i = 0; i < conns.size(); ++i)
      if (!done[i] && closed_by_peer(conns[i].get(), 0)) {
        done[i] = true;
        ++closed;
      }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string line = std::to_string(closed) + " " + std::to_string(conns.size()) + "\n";
  (void)!::write(report, line.data(), line.size());
  char c;
  (void)!::read(hold, &c, 1);
}

// The soft RLIMIT_NOFILE raised to the hard one; returns the new soft limit.
inline rlim_t raise_fd_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

// `count` TCP connections to ip:port that send nothing. Each is waited for (connected, or
// failed) before the next batch, so the listener's backlog never overflows into SYN retries.
struct IdleConnections {
  std::vector<UniqueFd> conns;
  int failed = 0;  // did not connect at all

  IdleConnections(const std::string& ip, int port, int count, int batch = 256) {
    auto a = address(ip, port);
    for (int start = 0; start < count; start += batch) {
      std::vector<UniqueFd> pending;
      for (int i = start; i < std::min(count, start + batch); ++i) {
        UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!s) {
          ++failed;
          continue;
        }
        if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
          ++failed;
          continue;
        }
        pending.push_back(std::move(s));
      }
      for (auto& s : pending) {
        pollfd p{s.get(), POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof err;
        if (::poll(&p, 1, 10000) != 1 || ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
          ++failed;
          continue;
        }
        conns.push_back(std::move(s));
      }
    }
  }
  // Connections the other end has reset or closed by now (waits `settle_ms` first).
  int closed(int settle_ms) const {
    std::this_thread::sleep_for(std::chrono::milliseconds(settle_ms));
    int n = 0;
    for (const auto& c : conns) n += closed_by_peer(c.get(), 0);
    return n;
  }
  void close_all() { conns.clear(); }
};

}  // namespace flood
