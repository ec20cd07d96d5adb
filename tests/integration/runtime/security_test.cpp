// Regression tests for container escapes: CVE-2019-5736 (/proc/<pid>/exe), CVE-2024-21626
// (leaked fds), CVE-2022-0492 (cgroup release_agent).
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

std::vector<std::string> fd_targets(pid_t pid) {
  std::vector<std::string> out;
  for (const auto& e : stdfs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    if (std::stoi(e.path().filename().string()) <= 2) continue;
    out.push_back(stdfs::read_symlink(e.path()).string());
  }
  return out;
}

}  // namespace

TEST_CASE("runtime security: the host binary cannot be reached through /proc/1/exe or an exec'd /proc/self/exe") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  b.config["process"]["capabilities"] = {{"bounding", {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"}},
                                         {"effective", {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"}},
                                         {"permitted", {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_KILL"}}};
  b.write();
  std::string before = mycompose::sha256_hex(mycompose::fs::read_file(mycompose_bin()));
  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  pid_t init = sb.state("c1")["pid"].get<pid_t>();
  // From the host: the init runs from a memfd, not from the mycompose binary.
  CHECK(stdfs::read_symlink("/proc/" + std::to_string(init) + "/exe").string().rfind("/memfd:mycompose-init", 0) == 0);
  Result r = sb.rt({"exec", "c1", "sh", "-c",
                    "echo x >> /proc/1/exe && echo WROTE; cat /proc/1/exe > /dev/null && echo READ; readlink /proc/self/exe"});
  CHECK(r.out == "/bin/busybox\n");
  CHECK(r.out.find("WROTE") == std::string::npos);
  CHECK(r.out.find("READ") == std::string::npos);
  CHECK(mycompose::sha256_hex(mycompose::fs::read_file(mycompose_bin())) == before);
}

TEST_CASE("runtime security: no unexpected fd in the init or in an exec'd process") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "ls /proc/self/fd; sleep 1000"});
  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  pid_t init = sb.state("c1")["pid"].get<pid_t>();
  // The init keeps only its signalfd and the exit record (never the state folder).
  for (const auto& t : fd_targets(init)) {
    INFO(t);
    CHECK((t == "anon_inode:[signalfd]" || t == (sb.root / "c1" / "exit").string()));
  }
  Result r = sb.rt({"exec", "c1", "ls", "/proc/self/fd"});
  CHECK(r.out == "0\n1\n2\n3\n");  // 3: ls's own handle on the folder
  Result app = sb.rt({"exec", "c1", "sh", "-c", "ls /proc/$(pidof sleep)/fd 2>&1 | sort"});
  CHECK(app.out == "0\n1\n2\n");
}

TEST_CASE("runtime security: the cgroup release_agent is not reachable or writable") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c",
                             "ls /sys/fs/cgroup/*/release_agent 2>/dev/null | wc -l;"
                             " echo /x > /sys/fs/cgroup/memory/release_agent 2>/dev/null && echo WROTE;"
                             " mkdir /sys/fs/cgroup/memory/sub 2>/dev/null && echo MKDIR; echo done"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "0\ndone\n");
}
