#pragma once
// A throw-away "container" network for the DNS and port tests: a named network namespace
// joined to the host by a veth pair on 198.18.N.0/30 (RFC 2544 benchmarking space), and
// the resolv.conf that `ip netns exec` bind-mounts over /etc/resolv.conf inside it. The
// destructor removes all of it, also when the test failed.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "mycompose/common/fs.hpp"

namespace nettest {

inline int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

inline std::string sh_out(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

class DnsTestNetns {
 public:
  DnsTestNetns() {
    unsigned n = static_cast<unsigned>(getpid()) % 200 + 20;
    name = "mcdns" + std::to_string(getpid());
    host_if = "mcdh" + std::to_string(getpid());
    ns_if = "mcdn" + std::to_string(getpid());
    host_ip = "198.18." + std::to_string(n) + ".1";
    ns_ip = "198.18." + std::to_string(n) + ".2";
    if (sh("ip netns add " + name) != 0) throw std::runtime_error("ip netns add " + name + " failed");
    created_ = true;
    bool ok = sh("ip link add " + host_if + " type veth peer name " + ns_if) == 0 &&
              sh("ip link set " + ns_if + " netns " + name) == 0 &&
              sh("ip addr add " + host_ip + "/30 dev " + host_if) == 0 && sh("ip link set " + host_if + " up") == 0 &&
              sh("ip -n " + name + " addr add " + ns_ip + "/30 dev " + ns_if) == 0 &&
              sh("ip -n " + name + " link set " + ns_if + " up") == 0 && sh("ip -n " + name + " link set lo up") == 0;
    if (!ok) {
      cleanup();
      throw std::runtime_error("cannot set up veth " + host_if + " <-> " + name);
    }
  }
  ~DnsTestNetns() { cleanup(); }
  DnsTestNetns(const DnsTestNetns&) = delete;
  DnsTestNetns& operator=(const DnsTestNetns&) = delete;

  // /etc/netns/<name>/resolv.conf: what `ip netns exec` shows as /etc/resolv.conf.
  void set_resolv_conf(const std::string& text) {
    mycompose::fs::make_dirs(etc_dir());
    mycompose::fs::write_file_atomic(etc_dir() / "resolv.conf", text);
  }

  std::string exec(const std::string& cmd) const { return sh_out("ip netns exec " + name + " " + cmd + " 2>&1"); }

  // An fd on the namespace, for setns() in a forked child.
  std::string path() const { return "/run/netns/" + name; }

  std::string name, host_if, ns_if, host_ip, ns_ip;

 private:
  std::filesystem::path etc_dir() const { return std::filesystem::path("/etc/netns") / name; }
  void cleanup() {
    if (!created_) return;
    created_ = false;
    std::error_code ec;
    std::filesystem::remove_all(etc_dir(), ec);
    std::filesystem::remove(etc_dir().parent_path(), ec);  // only if empty
    sh("ip link del " + host_if);                         // takes its peer with it
    sh("ip netns del " + name);
  }
  bool created_ = false;
};

// A forked child inside the namespace running `serve` (e.g. an echo server); killed and
// reaped on destruction.
class NetnsChild {
 public:
  template <class F>
  NetnsChild(const std::string& netns_path, F serve) {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      int fd = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(1);
      serve(ready[1]);  // writes one byte to ready[1] once listening
      _exit(0);
    }
    close(ready[1]);
    char c;
    bool ok = read(ready[0], &c, 1) == 1;
    close(ready[0]);
    if (!ok) {
      reap();
      throw std::runtime_error("the child in " + netns_path + " did not start");
    }
  }
  ~NetnsChild() { reap(); }

 private:
  void reap() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  pid_t pid_ = -1;
};

}  // namespace nettest
