// Compose's `devices:` and `device_cgroup_rules:` reach the container through the generated
// spec (linux.devices plus linux.resources.devices), on the same path as a hand-written bundle.
#include <catch2/catch.hpp>

#include "mycompose/runtime/spec_generator.hpp"
#include "runtime_helpers.hpp"

using namespace rttest;
namespace rt = mycompose::runtime;

TEST_CASE("runtime with a generated spec: devices and device_cgroup_rules are made and allowed") {
  if (!stdfs::exists("/dev/fuse") || !stdfs::exists("/sys/fs/cgroup/devices/devices.list")) {
    WARN("no /dev/fuse or no v1 devices cgroup on this host: not checked");
    return;
  }
  Sandbox sb;
  std::vector<std::string> cmd = {"sleep", "1000"};
  Bundle b = sb.bundle("b", cmd);
  rt::ImageConfig image;
  image.cmd = cmd;
  image.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  rt::ContainerSettings s;
  s.rootfs = "rootfs";
  s.rootfs_on_host = b.rootfs().string();
  s.devices.push_back({"/dev/fuse", "/dev/myfuse", "rw"});
  s.device_cgroup_rules = {"c 1:11 r"};
  b.config = rt::generate_spec(image, s);
  b.config["linux"].erase("cgroupsPath");  // the runtime's default, which the sandbox cleans
  b.write();
  Result c = sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"});
  INFO(c.err);
  REQUIRE(c.status == 0);
  Result e = sb.rt({"exec", "c1", "sh", "-c", "stat -c '%F %t:%T' /dev/myfuse; : < /dev/myfuse && echo opened"});
  CHECK(e.out == "character special file a:e5\nopened\n");
  std::string list;
  for (const auto& d : sb.cgroup_dirs("c1"))
    if (stdfs::exists(d / "devices.list")) list = mycompose::fs::read_file(d / "devices.list");
  CHECK(list.find("c 10:229 rw\n") != std::string::npos);
  CHECK(list.find("c 1:11 r\n") != std::string::npos);
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
