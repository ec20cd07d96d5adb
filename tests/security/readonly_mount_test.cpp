// Class: a read-only mount that is not read-only everywhere (the CVE-2021-30465 family: the
// read-only remount of a bind looked its destination up again, and applied only to the top
// mount). A `:ro` bind or volume is made read-only on the mount just made, before it is
// attached, and for every mount below it too (Docker 25's recursive read-only), so a
// container cannot write the host through a submount of a read-only bind source.
#include <sys/mount.h>

#include "mount_bait.hpp"

using namespace mount_attack;

namespace {

// A tmpfs the test mounts on the host inside the folder it binds read-only; unmounted at the end.
struct HostSubmount {
  stdfs::path at;
  explicit HostSubmount(stdfs::path p) : at(std::move(p)) {
    stdfs::create_directories(at);
    REQUIRE(::mount("tmpfs", at.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") == 0);
  }
  ~HostSubmount() { ::umount2(at.c_str(), MNT_DETACH); }
};

}  // namespace

TEST_CASE("security: a read-only bind and volume are read-only, submounts of the bind included") {
  Project p("");
  const stdfs::path folder = p.r.dir / "ro";
  HostSubmount sub(folder / "sub");
  write_compose(p,
                                   "services:\n"
                                   "  b:\n"
                                   "    image: busybox:test\n"
                                   "    command: [sh, -c, \"for f in /ro/file /ro/sub/file /vol/file; do echo x > $$f && echo $$f >> /out/wrote; done; echo done > /out/done; exec sleep 1000\"]\n"
                                   "    volumes: [\"" + folder.string() + ":/ro:ro\", \"data:/vol:ro\", \"@OUT@:/out\"]\n"
                                   "volumes:\n"
                                   "  data: {}\n");
  p.ok({"up", "-d"});
  REQUIRE(wait_for_file(p.out / "done") == "done\n");
  std::error_code ec;
  INFO("b wrote: " << (stdfs::exists(p.out / "wrote", ec) ? mycompose::fs::read_file(p.out / "wrote") : ""));
  CHECK_FALSE(stdfs::exists(p.out / "wrote"));
  CHECK_FALSE(stdfs::exists(folder / "file"));
  CHECK_FALSE(stdfs::exists(folder / "sub/file"));
  p.finish();
}
