// What the runtime cannot apply is refused at create, naming the field, rather than dropped
// or found only once the container starts: cgroup resources this host has no controller or
// file for, process settings the host cannot give (capabilities outside our bounding set,
// rlimits), and security labels (AppArmor, SELinux) this runtime does not apply.
#include <catch2/catch.hpp>

#include <sys/capability.h>
#include <sys/sysmacros.h>

#include <cctype>
#include <functional>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

Result create_with(const Sandbox& sb, const std::string& name, const std::function<void(json&)>& edit) {
  Bundle b = sb.bundle(name, {"true"});
  edit(b.config);
  b.write();
  return sb.rt({"create", "--bundle", b.dir.string(), name});
}

bool mounted_controller(const char* name) { return stdfs::exists(stdfs::path("/sys/fs/cgroup") / name / "tasks"); }

}  // namespace

TEST_CASE("runtime refuses cgroup resources the host cannot apply - naming the field") {
  Sandbox sb;
  if (!stdfs::exists("/sys/fs/cgroup/cpu/tasks")) {
    WARN("not a cgroup v1 host: the v1 refusals are not checked here (tests/unit/runtime/cgroup_v2_test.cpp covers v2)");
    return;
  }
  if (!mounted_controller("net_cls")) {
    Result r = create_with(sb, "net", [](json& c) { c["linux"]["resources"]["network"] = {{"classID", 1048577}}; });
    CHECK(r.status != 0);
    CHECK(r.err == "error: linux.resources.network.classID: the net_cls cgroup controller is not mounted on this host\n");
    CHECK(sb.leftovers("net", sb.dir / "net" / "rootfs").empty());
  }
  if (!mounted_controller("net_prio")) {
    Result r = create_with(sb, "prio", [](json& c) {
      c["linux"]["resources"]["network"] = {{"priorities", {{{"name", "lo"}, {"priority", 2}}}}};
    });
    CHECK(r.err == "error: linux.resources.network.priorities[0]: the net_prio cgroup controller is not mounted on this host\n");
  }
  if (!mounted_controller("hugetlb")) {
    Result r = create_with(sb, "huge", [](json& c) {
      c["linux"]["resources"]["hugepageLimits"] = {{{"pageSize", "2MB"}, {"limit", 2097152}}};
    });
    CHECK(r.err == "error: linux.resources.hugepageLimits[0]: the hugetlb cgroup controller is not mounted on this host\n");
  }
  if (mounted_controller("blkio") && !stdfs::exists("/sys/fs/cgroup/blkio/blkio.weight") &&
      !stdfs::exists("/sys/fs/cgroup/blkio/blkio.bfq.weight")) {
    Result r = create_with(sb, "weight", [](json& c) { c["linux"]["resources"]["blockIO"] = {{"weight", 300}}; });
    CHECK(r.err == "error: linux.resources.blockIO.weight: this host's blkio controller has no blkio.weight\n");
    CHECK(sb.leftovers("weight", sb.dir / "weight" / "rootfs").empty());
  }
  Result u = create_with(sb, "unified", [](json& c) { c["linux"]["resources"]["unified"] = {{"memory.high", "1000000"}}; });
  CHECK(u.err == "error: linux.resources.unified: needs cgroup v2; this host's cgroups are v1\n");
}

TEST_CASE("runtime applies the blkio throttles the host has files for") {
  if (!stdfs::exists("/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device")) {
    WARN("no v1 blkio throttle files on this host: not checked");
    return;
  }
  Sandbox sb;
  struct stat st {};
  REQUIRE(::stat("/dev/loop0", &st) == 0);
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  b.config["linux"]["resources"]["blockIO"] = {
      {"throttleReadBpsDevice", {{{"major", major(st.st_rdev)}, {"minor", minor(st.st_rdev)}, {"rate", 1048576}}}}};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  INFO(c.err);
  REQUIRE(c.status == 0);
  std::string file;
  for (const auto& d : sb.cgroup_dirs("c1"))
    if (stdfs::exists(d / "blkio.throttle.read_bps_device")) file = mycompose::fs::read_file(d / "blkio.throttle.read_bps_device");
  CHECK(file == std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)) + " 1048576\n");
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
}

TEST_CASE("runtime create refuses a capability outside its own bounding set - naming it") {
  int missing = -1;
  for (int i = 0; i < cap_max_bits() && missing < 0; ++i)
    if (cap_get_bound(i) == 0) missing = i;
  if (missing < 0) {
    WARN("this runtime holds every capability: no capability to refuse, not checked");
    return;
  }
  char* raw = cap_to_name(missing);
  std::string name = raw;
  cap_free(raw);
  for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  Sandbox sb;
  Result r = create_with(sb, "caps", [&](json& c) {
    c["process"]["capabilities"]["bounding"].push_back(name);
    c["process"]["capabilities"]["permitted"].push_back(name);
  });
  CHECK(r.status != 0);
  CHECK(r.err == "error: config.json: process.capabilities.bounding " + name +
                     " is not in the runtime's capability bounding set: it cannot be given\n");
  CHECK(sb.leftovers("caps", sb.dir / "caps" / "rootfs").empty());
}

TEST_CASE("runtime create refuses rlimits that cannot be set - naming them") {
  Sandbox sb;
  Result r = create_with(sb, "soft", [](json& c) {
    c["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 2048}, {"hard", 1024}}};
  });
  CHECK(r.status != 0);
  CHECK(r.err == "error: config.json: process.rlimits[0] RLIMIT_NOFILE: the soft limit 2048 exceeds the hard limit 1024\n");
  r = create_with(sb, "twice", [](json& c) {
    c["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 1024}, {"hard", 1024}},
                               {{"type", "RLIMIT_NOFILE"}, {"soft", 512}, {"hard", 512}}};
  });
  CHECK(r.err == "error: config.json: process.rlimits[1] repeats RLIMIT_NOFILE\n");
  // Above the kernel's fs.nr_open: setrlimit refuses it, and create says so.
  const std::string nr_open = mycompose::fs::read_file("/proc/sys/fs/nr_open");
  const auto too_many = std::stoull(nr_open) + 1;
  r = create_with(sb, "nropen", [&](json& c) {
    c["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", too_many}, {"hard", too_many}}};
  });
  CHECK(r.status != 0);
  CHECK(r.err.rfind("error: process.rlimits: setrlimit RLIMIT_NOFILE (soft " + std::to_string(too_many), 0) == 0);
  CHECK(sb.leftovers("nropen", sb.dir / "nropen" / "rootfs").empty());
}

TEST_CASE("runtime create refuses a user it cannot become - before start") {
  Sandbox sb;
  stdfs::permissions(sb.dir, stdfs::perms(0755));  // the container's root (host uid 100000) reaches its rootfs
  // A user namespace mapping uids 0-999 only: uid 1000 has no mapping, setresuid fails.
  Result r = create_with(sb, "user", [](json& c) {
    c["linux"]["namespaces"].push_back({{"type", "user"}});
    c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 1000}}};
    c["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
    c["process"]["user"] = {{"uid", 1000}, {"gid", 0}};
  });
  CHECK(r.status != 0);
  CHECK(r.err == "error: process.user.uid: setresuid 1000: Invalid argument\n");
  CHECK(sb.leftovers("user", sb.dir / "user" / "rootfs").empty());
}

TEST_CASE("runtime create refuses AppArmor and SELinux labels it does not apply - naming the field") {
  Sandbox sb;
  const bool apparmor = stdfs::exists("/sys/module/apparmor/parameters/enabled");
  const bool selinux = stdfs::exists("/sys/fs/selinux/enforce");
  if (apparmor || selinux) {
    WARN("AppArmor or SELinux is enabled on this host: the refusals of their labels are not checked here");
    return;  // the messages below are this host's (neither enabled)
  }
  Result r = create_with(sb, "aa", [](json& c) { c["process"]["apparmorProfile"] = "docker-default"; });
  CHECK(r.status != 0);
  CHECK(r.err == "error: config.json: process.apparmorProfile is set (\"docker-default\") but AppArmor is not enabled on this host\n");
  r = create_with(sb, "se", [](json& c) { c["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0"; });
  CHECK(r.err ==
        "error: config.json: process.selinuxLabel is set (\"system_u:system_r:container_t:s0\") but SELinux is not enabled on this "
        "host\n");
  // A mount label is ignored with a warning where SELinux is off, as runc ignores it.
  r = create_with(sb, "ml", [](json& c) { c["linux"]["mountLabel"] = "system_u:object_r:container_file_t:s0"; });
  CHECK(r.status == 0);
  CHECK(r.err ==
        "warning: config.json: linux.mountLabel is set (\"system_u:object_r:container_file_t:s0\") but SELinux is not enabled on this "
        "host: it is not applied\n");
  CHECK(sb.rt({"delete", "--force", "ml"}).status == 0);
  CHECK(sb.leftovers("aa", sb.dir / "aa" / "rootfs").empty());
}
