// The OCI mount namespace entry as the runtime spec allows it (config-linux.md "Namespaces"):
// left out, the container shares the runtime's mount namespace (only chrooted into its rootfs);
// with a path, it joins that namespace.
#include <catch2/catch.hpp>

#include <sched.h>

#include <csignal>
#include <unistd.h>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

std::string ns_of(pid_t pid, const char* ns) {
  return stdfs::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + ns).string();
}

void drop_mount_namespace(Bundle& b) {
  json kept = json::array();
  for (const auto& n : b.config["linux"]["namespaces"])
    if (n["type"] != "mount") kept.push_back(n);
  b.config["linux"]["namespaces"] = kept;
  b.config["mounts"] = json::array();
  b.config["linux"].erase("maskedPaths");
  b.config["linux"].erase("readonlyPaths");
  b.config["root"]["readonly"] = false;
}

// A process in a mount namespace of its own (a copy of ours), killed at the end.
struct OtherMountNamespace {
  pid_t pid = -1;
  int ready[2];
  OtherMountNamespace() {
    REQUIRE(::pipe(ready) == 0);
    pid = ::fork();
    if (pid == 0) {
      if (::unshare(CLONE_NEWNS) != 0) _exit(1);
      (void)!::write(ready[1], "1", 1);
      ::pause();
      _exit(0);
    }
    char c;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    ::close(ready[1]);
  }
  ~OtherMountNamespace() {
    ::kill(pid, SIGKILL);
    int st;
    ::waitpid(pid, &st, 0);
  }
};

}  // namespace

TEST_CASE("runtime namespaces: without a mount namespace the container shares ours - chrooted into its rootfs") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  drop_mount_namespace(b);
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  INFO(c.err);
  REQUIRE(c.status == 0);
  pid_t pid = sb.state("c1")["pid"].get<pid_t>();
  CHECK(ns_of(pid, "mnt") == ns_of(::getpid(), "mnt"));
  CHECK(ns_of(pid, "net") != ns_of(::getpid(), "net"));
  CHECK(stdfs::read_symlink("/proc/" + std::to_string(pid) + "/root") == b.rootfs());
  REQUIRE(sb.rt({"start", "c1"}).status == 0);
  // exec lands in the same root.
  Result e = sb.rt({"exec", "c1", "ls", "/"});
  INFO(e.err);
  CHECK(e.status == 0);
  CHECK(e.out == "bin\ndev\netc\nproc\nroot\nsys\ntmp\n");
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime namespaces: without a mount namespace - what would mount on the host is refused by name") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  drop_mount_namespace(b);
  b.config["linux"]["maskedPaths"] = {"/proc/kcore"};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.status != 0);
  CHECK(c.err == "error: config.json: linux.maskedPaths needs a \"mount\" namespace in linux.namespaces\n");
  b.config["linux"].erase("maskedPaths");
  b.config["mounts"] = {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}}};
  b.write();
  c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.err == "error: config.json: mounts needs a \"mount\" namespace in linux.namespaces\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime namespaces: a mount namespace given by path is joined") {
  Sandbox sb;
  OtherMountNamespace other;
  Bundle b = sb.bundle("b", {"sh", "-c", "cat /proc/1/comm"});
  for (auto& n : b.config["linux"]["namespaces"])
    if (n["type"] == "mount") n["path"] = "/proc/" + std::to_string(other.pid) + "/ns/mnt";
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  INFO(c.err);
  REQUIRE(c.status == 0);
  pid_t pid = sb.state("c1")["pid"].get<pid_t>();
  CHECK(ns_of(pid, "mnt") == ns_of(other.pid, "mnt"));
  CHECK(ns_of(pid, "mnt") != ns_of(::getpid(), "mnt"));
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
