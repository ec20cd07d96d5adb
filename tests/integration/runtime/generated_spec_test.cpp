// Bundles written by the Docker-parity spec generator: the security defaults and resource
// limits are really in force in the container.
#include <catch2/catch.hpp>

#include <algorithm>

#include "mycompose/runtime/spec_generator.hpp"
#include "runtime_helpers.hpp"

using namespace rttest;
namespace rt = mycompose::runtime;

namespace {

Bundle generated_bundle(const Sandbox& sb, std::vector<std::string> cmd, rt::ContainerSettings s = {}) {
  Bundle b = sb.bundle("b", cmd);
  rt::ImageConfig image;
  image.cmd = std::move(cmd);
  image.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  s.rootfs = "rootfs";
  s.rootfs_on_host = b.rootfs().string();
  b.config = rt::generate_spec(image, s);
  b.config["linux"].erase("cgroupsPath");  // the runtime's default, which the sandbox cleans
  b.write();
  return b;
}

}  // namespace

TEST_CASE("runtime with generated defaults: CapEff 00000000a80425fb and seccomp filter mode") {
  Sandbox sb;
  Bundle b = generated_bundle(sb, {"grep", "-E", "^(CapEff|CapBnd|Seccomp|NoNewPrivs):", "/proc/self/status"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.err == "");
  REQUIRE(r.status == 0);
  CHECK(r.out == "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t0\nSeccomp:\t2\n");
}

TEST_CASE("runtime with generated defaults: a memory limit is enforced by the OOM killer") {
  Sandbox sb;
  rt::ContainerSettings s;
  s.memory = 32 << 20;
  s.memory_swap = 32 << 20;  // no swap on top
  Bundle b = generated_bundle(sb, {"dd", "if=/dev/zero", "of=/dev/null", "bs=96M", "count=1"}, s);
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.status == 137);  // SIGKILL from the OOM killer
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime with generated defaults: a pids limit is enforced") {
  Sandbox sb;
  rt::ContainerSettings s;
  s.pids_limit = 6;
  Bundle b = generated_bundle(sb, {"sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 100 & done; echo done"}, s);
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.err.find("can't fork") != std::string::npos);
  CHECK(r.status != 0);  // busybox sh gives up when fork fails
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

// /proc/sys is there, as the host's, and read-only (Docker's readonlyPaths), not masked or
// absent. (A probe of /proc/sys/kernel/sysrq says "No such file or directory" on a kernel
// built without CONFIG_MAGIC_SYSRQ, such as this machine's, where the host has none either.)
TEST_CASE("runtime with generated defaults: /proc/sys holds the host's entries, read-only") {
  Sandbox sb;
  Bundle b = generated_bundle(sb, {"sh", "-c", "ls /proc/sys; cat /proc/sys/kernel/ostype; (echo x > /proc/sys/kernel/domainname) 2>&1;"
                                               " grep ' /proc/sys ' /proc/self/mounts | cut -d' ' -f4 | cut -d, -f1"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.err == "");
  REQUIRE(r.status == 0);
  std::string host;
  std::vector<std::string> entries;
  for (const auto& e : stdfs::directory_iterator("/proc/sys")) entries.push_back(e.path().filename().string());
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) host += e + "\n";
  CHECK(r.out == host + "Linux\nsh: can't create /proc/sys/kernel/domainname: Read-only file system\nro\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
