#pragma once
// Test helpers for real networks: a temp root that takes every network thing it made away,
// throw-away network namespaces ("containers"), and a TCP echo across them.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/net/network_manager.hpp"
#include "support/run.hpp"

namespace mycompose::test {

// A fresh MYCOMPOSE_ROOT; its destructor runs cleanup_all, so links, nft table and state go
// even when the test fails half-way. Roots live under one parent with their owner's pid, so
// a new root first cleans up the roots of test processes that crashed (no destructor ran).
class TempNetRoot {
 public:
  static constexpr const char* kParent = "/tmp/mycompose-net-tests";

  TempNetRoot() {
    std::filesystem::create_directories(kParent);
    reap_dead_roots();
    char tmpl[] = "/tmp/mycompose-net-tests/root-XXXXXX";  // under kParent
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
    std::ofstream(path_ / "owner.pid") << getpid() << "\n";
  }
  ~TempNetRoot() {
    try {
      net::NetworkManager(path_).cleanup_all();
    } catch (const std::exception& e) {
      fprintf(stderr, "cleanup_all of %s: %s\n", path_.c_str(), e.what());
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static void reap_dead_roots() {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(kParent, ec)) {
      pid_t owner = 0;
      std::ifstream(entry.path() / "owner.pid") >> owner;
      if (owner <= 0 || kill(owner, 0) == 0 || errno != ESRCH) continue;
      try {
        net::NetworkManager(entry.path()).cleanup_all();
      } catch (const std::exception&) {
        continue;  // another process is at it, or it is not ours to judge: leave it
      }
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  std::filesystem::path path_;
};

// A child process alone in a new network namespace, killed on destruction (its namespace,
// and any veth peer inside it, go with it).
class TestNetns {
 public:
  TestNetns() {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test that dies
      char ok = unshare(CLONE_NEWNET) == 0 ? 1 : 0;
      (void)!write(p[1], &ok, 1);
      if (!ok) _exit(1);
      for (;;) pause();
    }
    close(p[1]);
    char ok = 0;
    bool got = read(p[0], &ok, 1) == 1;
    close(p[0]);
    if (!got || !ok) {
      reap();
      throw std::runtime_error("unshare(CLONE_NEWNET) failed in the test child");
    }
  }
  ~TestNetns() { reap(); }
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;

  pid_t pid() const { return pid_; }
  std::string path() const { return "/proc/" + std::to_string(pid_) + "/ns/net"; }
  net::NetnsRef ref() const { return net::NetnsRef::of_pid(pid_); }

  // A socket that lives in this namespace (the thread visits it just to create it).
  UniqueFd socket(int type) const {
    UniqueFd self(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    UniqueFd ns(open(path().c_str(), O_RDONLY | O_CLOEXEC));
    if (!self || !ns || setns(ns.get(), CLONE_NEWNET) != 0) throw std::runtime_error("setns into test netns");
    UniqueFd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    if (setns(self.get(), CLONE_NEWNET) != 0) std::abort();
    return s;
  }

 private:
  void reap() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  pid_t pid_ = -1;
};

inline sockaddr_in inet_address(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// Echoes every connection's bytes back, listening on 0.0.0.0:port inside a namespace.
class TcpEcho {
 public:
  TcpEcho(const TestNetns& ns, int port) : TcpEcho(ns.socket(SOCK_STREAM), "0.0.0.0", port) {}
  // In the host's namespace, on one address (e.g. a bridge's gateway).
  TcpEcho(const std::string& host_ip, int port)
      : TcpEcho(UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), host_ip, port) {}
  TcpEcho(UniqueFd listener, const std::string& ip, int port) : listener_(std::move(listener)) {
    int one = 1;
    setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto a = inet_address(ip, port);
    if (bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listener_.get(), 8) != 0)
      throw std::runtime_error("echo server bind/listen");
    thread_ = std::thread([this] { serve(); });
  }
  ~TcpEcho() {
    stop_ = true;
    shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }

 private:
  void serve() {
    while (!stop_) {
      UniqueFd c(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!c) continue;
      char buf[256];
      ssize_t n = read(c.get(), buf, sizeof buf);
      if (n > 0) (void)!write(c.get(), buf, size_t(n));
    }
  }
  UniqueFd listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Connects from `from` to ip:port and checks the echo. False when the connection is refused,
// unreachable or gets no answer within `wait_ms` (a reachability deadline, not a speed test).
inline bool tcp_echo_works(UniqueFd s, const std::string& ip, int port, int wait_ms = 1500) {
  auto a = inet_address(ip, port);
  if (connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) return false;
  pollfd p{s.get(), POLLOUT, 0};
  if (poll(&p, 1, wait_ms) != 1) return false;
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return false;
  const std::string msg = "hello " + ip;
  if (write(s.get(), msg.data(), msg.size()) != ssize_t(msg.size())) return false;
  std::string got;
  while (got.size() < msg.size()) {
    pollfd r{s.get(), POLLIN, 0};
    if (poll(&r, 1, wait_ms) != 1) return false;
    char buf[256];
    ssize_t n = read(s.get(), buf, sizeof buf);
    if (n <= 0) return false;
    got.append(buf, size_t(n));
  }
  return got == msg;
}

// Specs built by name (designated initializers would warn about every field left out).
struct Net {
  net::NetworkSpec spec;
  explicit Net(std::string name) { spec.name = std::move(name); }
  Net& driver(std::string d) { spec.driver = std::move(d); return *this; }
  Net& internal() { spec.internal = true; return *this; }
  Net& opt(const std::string& k, std::string v) { spec.driver_opts[k] = std::move(v); return *this; }
  Net& ipam(std::string subnet, std::string range = "", std::string gateway = "",
            std::map<std::string, std::string> aux = {}) {
    net::IpamConfig c;
    c.subnet = std::move(subnet);
    c.ip_range = std::move(range);
    c.gateway = std::move(gateway);
    c.aux_addresses = std::move(aux);
    spec.ipam.push_back(std::move(c));
    return *this;
  }
  operator const net::NetworkSpec&() const { return spec; }
};

struct Ep {
  net::EndpointSpec spec;
  Ep& ip(std::string a) { spec.ipv4_address = std::move(a); return *this; }
  Ep& mac(std::string m) { spec.mac_address = std::move(m); return *this; }
  Ep& alias(std::string a) { spec.aliases.push_back(std::move(a)); return *this; }
  Ep& index(int i) { spec.interface_index = i; return *this; }
  operator const net::EndpointSpec&() const { return spec; }
};

inline bool tcp_echo_works(const TestNetns& from, const std::string& ip, int port, int wait_ms = 1500) {
  return tcp_echo_works(from.socket(SOCK_STREAM | SOCK_NONBLOCK), ip, port, wait_ms);
}

// From the host's own namespace.
inline bool tcp_echo_works_from_host(const std::string& ip, int port, int wait_ms = 1500) {
  return tcp_echo_works(UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)), ip, port,
                        wait_ms);
}

// Output of `nft list table ip <table>` ("" when it does not exist).
inline std::string nft_table_text(const std::string& table) {
  auto r = run({"nft", "list", "table", "ip", table});
  return r.exit_code == 0 ? r.out : "";
}

}  // namespace mycompose::test
