// Capability sets and rlimits applied in a forked child, read back from /proc/self/status.
// Needs root (CAP_SETPCAP to shrink the bounding set).
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "mycompose/runtime/capabilities.hpp"
#include "mycompose/runtime/spec_generator.hpp"

using namespace mycompose::runtime;

namespace {

std::string status_field(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) {
      auto v = line.substr(key.size() + 1);
      return v.substr(v.find_first_not_of(" \t"));
    }
  return "";
}

// Runs fn in a child; the child writes what it saw into a pipe as text.
std::string in_child(const std::function<std::string()>& fn) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    try {
      out = fn();
    } catch (const std::exception& e) {
      out = std::string("error: ") + e.what();
    }
    (void)!::write(fds[1], out.data(), out.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  return out;
}

}  // namespace

TEST_CASE("capabilities: Docker's default set gives CapEff a80425fb") {
  const auto caps = default_capabilities();
  auto seen = in_child([&] {
    apply_capabilities({{"bounding", caps}, {"effective", caps}, {"permitted", caps}});
    return status_field("CapEff") + " " + status_field("CapBnd") + " " + status_field("CapPrm") + " " +
           status_field("CapInh") + " " + status_field("CapAmb");
  });
  CHECK(seen == "00000000a80425fb 00000000a80425fb 00000000a80425fb 0000000000000000 0000000000000000");
}

TEST_CASE("capabilities: after a uid switch with keepcaps, and ambient") {
  const auto caps = default_capabilities();
  auto seen = in_child([&] {
    if (::prctl(PR_SET_KEEPCAPS, 1) != 0) return std::string("keepcaps failed");
    if (::setresgid(1000, 1000, 1000) != 0 || ::setresuid(1000, 1000, 1000) != 0) return std::string("setuid failed");
    apply_capabilities({{"bounding", caps},
                        {"effective", {"CAP_NET_BIND_SERVICE", "CAP_KILL"}},
                        {"permitted", {"CAP_NET_BIND_SERVICE", "CAP_KILL"}},
                        {"inheritable", {"CAP_NET_BIND_SERVICE"}},
                        {"ambient", {"CAP_NET_BIND_SERVICE"}}});
    return std::to_string(::getuid()) + " " + status_field("CapEff") + " " + status_field("CapAmb") + " " + status_field("CapBnd");
  });
  // NET_BIND_SERVICE = bit 10, KILL = bit 5.
  CHECK(seen == "1000 0000000000000420 0000000000000400 00000000a80425fb");
}

TEST_CASE("capabilities: ambient names missing from inheritable are skipped, as runc does for its own spec") {
  auto seen = in_child([&] {
    apply_capabilities({{"bounding", {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}},
                        {"effective", {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}},
                        {"permitted", {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}},
                        {"ambient", {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}}});
    return status_field("CapEff") + " " + status_field("CapAmb");
  });
  // AUDIT_WRITE = bit 29, NET_BIND_SERVICE = 10, KILL = 5; no ambient without inheritable.
  CHECK(seen == "0000000020000420 0000000000000000");
}

TEST_CASE("capabilities: an unknown name changes nothing") {
  auto seen = in_child([&] {
    const auto before = status_field("CapBnd");
    try {
      apply_capabilities({{"bounding", {"CAP_CHOWN"}}, {"effective", {"CAP_WARP_DRIVE"}}});
    } catch (const std::exception& e) {
      return std::string(e.what()) + (status_field("CapBnd") == before ? " unchanged" : " changed");
    }
    return std::string("no error");
  });
  CHECK(seen == "unknown capability \"CAP_WARP_DRIVE\" unchanged");
}

TEST_CASE("rlimits: applied by name") {
  auto seen = in_child([] {
    apply_rlimits({{{"type", "RLIMIT_NOFILE"}, {"soft", 100}, {"hard", 200}}, {{"type", "RLIMIT_CORE"}, {"soft", 0}, {"hard", 0}}});
    rlimit nofile{}, core{};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    ::getrlimit(RLIMIT_CORE, &core);
    return std::to_string(nofile.rlim_cur) + "/" + std::to_string(nofile.rlim_max) + " " + std::to_string(core.rlim_max);
  });
  CHECK(seen == "100/200 0");
}
