// OCI linux.rootfsPropagation (config-linux.md) through `mycompose runtime`: the propagation of
// the container's "/" as the container sees it, and for a slave rootfs, that the host's mounts
// reach it and none of the container's come back.
#include <catch2/catch.hpp>

#include <sys/mount.h>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

// The optional fields of "/" in the container's mountinfo ("shared:N", "master:N", "unbindable").
std::string root_propagation(const Sandbox& sb, const std::string& propagation) {
  Bundle b = sb.bundle("b-" + propagation, {"sh", "-c", "grep -E '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ' /proc/self/mountinfo | cut -d' ' -f7- | cut -d- -f1"});
  b.config["linux"]["rootfsPropagation"] = propagation;
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c-" + propagation});
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::string fields = r.out;
  for (auto& c : fields)
    if (c >= '0' && c <= '9') c = 'N';
  return fields;
}

// The bundle folder bound on itself and made shared, as on a host whose mounts are shared.
struct SharedBundleMount {
  stdfs::path dir;
  explicit SharedBundleMount(stdfs::path d) : dir(std::move(d)) {
    REQUIRE(::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) == 0);
    REQUIRE(::mount(nullptr, dir.c_str(), nullptr, MS_SHARED, nullptr) == 0);
  }
  ~SharedBundleMount() { ::umount2(dir.c_str(), MNT_DETACH); }
};

}  // namespace

TEST_CASE("runtime linux.rootfsPropagation: the container's / gets the propagation asked for") {
  Sandbox sb;
  CHECK(root_propagation(sb, "shared") == "shared:N \n");
  CHECK(root_propagation(sb, "rshared") == "shared:N \n");
  CHECK(root_propagation(sb, "private") == "\n");
  CHECK(root_propagation(sb, "unbindable") == "unbindable \n");
  CHECK(root_propagation(sb, "runbindable") == "unbindable \n");
}

TEST_CASE("runtime linux.rootfsPropagation: a slave rootfs receives the host's mounts - a private one does not") {
  Sandbox sb;
  for (const char* propagation : {"rslave", "slave", "rprivate"}) {
    INFO(propagation);
    Bundle b = sb.bundle(std::string("b-") + propagation, {"sleep", "1000"});
    stdfs::create_directories(b.rootfs() / "mnt");
    b.config["linux"]["rootfsPropagation"] = propagation;
    b.write();
    SharedBundleMount shared(b.dir);
    const std::string id = std::string("c-") + propagation;
    Result c = sb.rt({"run", "-d", "--bundle", b.dir.string(), id});
    INFO(c.err);
    REQUIRE(c.status == 0);
    // Mounted on the host after the container started.
    const stdfs::path target = b.rootfs() / "mnt";
    REQUIRE(::mount("tmpfs", target.c_str(), "tmpfs", 0, "size=64k") == 0);
    Result e = sb.rt({"exec", id, "sh", "-c", "grep -c ' /mnt ' /proc/self/mountinfo; true"});
    ::umount2(target.c_str(), MNT_DETACH);
    CHECK(e.out == (std::string(propagation) == "rprivate" ? "0\n" : "1\n"));
    CHECK(sb.rt({"delete", "--force", id}).status == 0);
  }
  // Nothing of the containers' mounts came back to the host.
  CHECK(mycompose::fs::read_file("/proc/self/mountinfo").find(sb.dir.string() + "/b-") == std::string::npos);
}

TEST_CASE("runtime linux.rootfsPropagation: an unknown value is refused by create naming it") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["linux"]["rootfsPropagation"] = "sideways";
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.status != 0);
  CHECK(c.err ==
        "error: config.json: linux.rootfsPropagation must be one of shared, slave, private, unbindable (or rshared, rslave, "
        "rprivate, runbindable), not \"sideways\"\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
