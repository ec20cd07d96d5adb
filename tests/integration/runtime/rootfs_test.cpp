// The container's filesystem: /dev, masked and read-only paths, read-only root, and mount
// destinations that stay inside the rootfs.
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

TEST_CASE("runtime rootfs: /dev holds the OCI default devices and links") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c",
                             "cd /dev && for f in null zero full random urandom tty; do stat -c '%n %F %t:%T %a' $f; done;"
                             " for l in ptmx fd stdin stdout stderr; do echo $l $(readlink $l); done;"
                             " stat -c '%n %F' pts shm mqueue"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  REQUIRE(r.status == 0);
  CHECK(r.out ==
        "null character special file 1:3 666\n"
        "zero character special file 1:5 666\n"
        "full character special file 1:7 666\n"
        "random character special file 1:8 666\n"
        "urandom character special file 1:9 666\n"
        "tty character special file 5:0 666\n"
        "ptmx pts/ptmx\n"
        "fd /proc/self/fd\n"
        "stdin /proc/self/fd/0\n"
        "stdout /proc/self/fd/1\n"
        "stderr /proc/self/fd/2\n"
        "pts directory\n"
        "shm directory\n"
        "mqueue directory\n");
}

TEST_CASE("runtime rootfs: masked paths, read-only paths and a read-only root") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c",
                             "wc -c < /proc/timer_list; ls -A /proc/acpi | wc -l; stat -c '%t:%T' /proc/keys;"
                             " touch /proc/acpi/x 2>&1; (echo 1 > /proc/sys/kernel/domainname) 2>&1;"
                             " touch /newfile 2>&1; touch /tmp/ok && echo tmp-writable"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  REQUIRE(r.status == 0);
  CHECK(r.out ==
        "0\n0\n1:3\n"
        "touch: /proc/acpi/x: Read-only file system\n"
        "sh: can't create /proc/sys/kernel/domainname: Read-only file system\n"
        "touch: /newfile: Read-only file system\n"
        "tmp-writable\n");
}

TEST_CASE("runtime rootfs: a symlinked mount destination stays inside the rootfs (CVE-2021-30465)") {
  Sandbox sb;
  stdfs::path host_target = sb.dir / "host-target";
  stdfs::create_directories(host_target);
  // Inside the container the link is followed within the root: the file lands there.
  Bundle b = sb.bundle("b", {"sh", "-c", "touch /escape/pwned && ls " + host_target.string() + "/pwned"});
  // Absolute and ../-climbing links both point at a host folder when followed on the host.
  stdfs::create_symlink(host_target, b.rootfs() / "escape");
  stdfs::create_symlink("../../../../../../../../../../" + host_target.string(), b.rootfs() / "climb");
  b.config["root"]["readonly"] = false;
  b.config["mounts"].push_back({{"destination", "/escape"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
  b.config["mounts"].push_back({{"destination", "/climb/sub"}, {"type", "tmpfs"}, {"source", "tmpfs"}});
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.err == "");
  REQUIRE(r.status == 0);
  CHECK(r.out == host_target.string() + "/pwned\n");
  CHECK(stdfs::is_empty(host_target));
}

TEST_CASE("runtime rootfs: a missing cwd is made inside the root (as runc), even through a symlink to a host path") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "pwd; stat -c '%a %u:%g' /work /work/deeper"});
  b.config["process"]["cwd"] = "/work/deeper";
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  b.write();  // and the root is read-only: made before it turns so
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.err == "");
  REQUIRE(r.status == 0);
  CHECK(r.out == "/work/deeper\n755 0:0\n755 0:0\n");

  // A link to a host folder is followed within the root: the folder is made there (in the
  // container's /tmp tmpfs, as the link names /tmp/…), not on the host.
  stdfs::path host_target = sb.dir / "host-target";
  stdfs::create_directories(host_target);
  Bundle l = sb.bundle("l", {"ls", "-d", host_target.string() + "/made"});
  stdfs::create_symlink(host_target, l.rootfs() / "escape");
  l.config["process"]["cwd"] = "/escape/made";
  l.write();
  Result lr = sb.rt({"run", "--bundle", l.dir.string(), "c2"});
  CHECK(lr.err == "");
  REQUIRE(lr.status == 0);
  CHECK(lr.out == host_target.string() + "/made\n");
  CHECK(stdfs::is_empty(host_target));
}

TEST_CASE("runtime rootfs: bind mounts with ro and relative sources") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "cat /data/file; touch /data/new 2>&1; cat /rw/file; touch /rw/new && echo ok"});
  stdfs::create_directories(b.dir / "data");
  stdfs::create_directories(b.dir / "rw");
  mycompose::fs::write_file_atomic(b.dir / "data" / "file", "from host\n");
  mycompose::fs::write_file_atomic(b.dir / "rw" / "file", "also\n");
  b.config["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", "data"}, {"options", {"rbind", "ro", "rprivate"}}});
  b.config["mounts"].push_back({{"destination", "/rw"}, {"type", "bind"}, {"source", (b.dir / "rw").string()}, {"options", {"bind"}}});
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "from host\ntouch: /data/new: Read-only file system\nalso\nok\n");
  CHECK(stdfs::exists(b.dir / "rw" / "new"));
}

TEST_CASE("runtime rootfs: a bundle whose device cgroup denies everything still gets the default devices") {
  // `runc spec` writes exactly this rule; runc still allows the OCI default devices.
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "echo x > /dev/null && head -c 3 /dev/zero | wc -c && (echo > /dev/tty) 2>&1 | grep -c 'No such device or address'"});
  b.config["linux"]["resources"] = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == "3\n1\n");
}
