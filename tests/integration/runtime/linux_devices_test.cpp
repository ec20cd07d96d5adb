// OCI linux.devices and linux.resources.devices through `mycompose runtime`, as runc applies
// them: every listed device is made with mknod (the device cgroup allows mknod of any char and
// block device), and the cgroup rules are everything denied, the bundle's rules in order, then
// the default devices.
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

std::string devices_list(const Sandbox& sb, const std::string& id) {
  for (const auto& d : sb.cgroup_dirs(id))
    if (stdfs::exists(d / "devices.list")) return mycompose::fs::read_file(d / "devices.list");
  return "(no devices cgroup)";
}

}  // namespace

TEST_CASE("runtime linux.devices: each listed device is made with its type and numbers and mode and owner under a deny-all rule") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "stat -c '%n %F %t:%T %a %u:%g' /dev/fuse /dev/sub/xloop /dev/pipe /dev/uchar"});
  b.config["linux"]["devices"] = {
      {{"path", "/dev/fuse"}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"fileMode", 0600}, {"uid", 0}, {"gid", 0}},
      {{"path", "/dev/sub/xloop"}, {"type", "b"}, {"major", 7}, {"minor", 200}, {"fileMode", 0640}, {"uid", 1000}, {"gid", 50}},
      {{"path", "/dev/pipe"}, {"type", "p"}, {"fileMode", 0644}},
      {{"path", "/dev/uchar"}, {"type", "u"}, {"major", 1}, {"minor", 3}, {"fileMode", 0666}},
  };
  // What `runc spec` writes: every device denied, the defaults and mknod still allowed.
  b.config["linux"]["resources"] = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out ==
        "/dev/fuse character special file a:e5 600 0:0\n"
        "/dev/sub/xloop block special file 7:c8 640 1000:50\n"
        "/dev/pipe fifo 0:0 644 0:0\n"
        "/dev/uchar character special file 1:3 666 0:0\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime linux.resources.devices: a deny-all first - the bundle's rules in order - runc's defaults last") {
  if (!stdfs::exists("/sys/fs/cgroup/devices/devices.list")) {
    WARN("no v1 devices cgroup on this host: not checked");
    return;
  }
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  // Allowing read and write, then denying write again, leaves read.
  b.config["linux"]["resources"] = {{"devices",
                                     {{{"allow", true}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"access", "rw"}},
                                      {{"allow", false}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"access", "w"}}}}};
  // A listed default device takes the place of runc's rule for it.
  b.config["linux"]["devices"] = {{{"path", "/dev/full"}, {"type", "c"}, {"major", 1}, {"minor", 7}}};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  INFO(c.err);
  REQUIRE(c.status == 0);
  CHECK(devices_list(sb, "c1") ==
        "c 10:229 r\nc *:* m\nb *:* m\nc 1:3 rwm\nc 1:8 rwm\nc 5:0 rwm\nc 1:5 rwm\nc 1:9 rwm\nc 136:* rwm\nc 5:2 rwm\n");
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime linux.resources.devices: without rules the container gets runc's defaults - not the host's devices") {
  if (!stdfs::exists("/sys/fs/cgroup/devices/devices.list")) {
    WARN("no v1 devices cgroup on this host: not checked");
    return;
  }
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  INFO(c.err);
  REQUIRE(c.status == 0);
  CHECK(devices_list(sb, "c1") == "c *:* m\nb *:* m\nc 1:3 rwm\nc 1:8 rwm\nc 1:7 rwm\nc 5:0 rwm\nc 1:5 rwm\nc 1:9 rwm\nc 136:* rwm\nc 5:2 rwm\n");
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
}

TEST_CASE("runtime linux.resources.devices: a malformed rule fails create naming it - leaving nothing") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["linux"]["resources"] = {{"devices", {{{"allow", true}, {"type", "x"}, {"access", "rwm"}}}}};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.status != 0);
  CHECK(c.err == "error: config.json: linux.resources.devices[0].type must be one of a, b, c (got \"x\")\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
