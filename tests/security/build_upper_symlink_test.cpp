// Class: the builder following a link a RUN step made in its layer (the CVE-2021-30465 /
// "symlink swap" family, in the builder). After RUN, the builder removes the mount points the
// runtime created in the step's upper folder (/etc/hosts, /etc/resolv.conf on an image
// without /etc). A step that moves /etc away and leaves a symlink to a host folder made the
// builder lstat/unlink <upper>/etc/hosts through it: empty host files were deleted.
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

TEST_CASE("build upper symlink: a RUN step cannot make the builder delete host files through a link in its layer") {
  Project p("services:\n  app:\n    build:\n      context: ./app\n");
  // busybox:test has no /etc: the runtime makes /etc, /etc/hosts and /etc/resolv.conf in the layer.
  const auto victim = p.r.dir / "victim";
  stdfs::create_directories(victim);
  mycompose::fs::write_file_atomic(victim / "hosts", "");
  mycompose::fs::write_file_atomic(victim / "resolv.conf", "");
  stdfs::create_directories(p.dir / "app");
  mycompose::fs::write_file_atomic(p.dir / "app" / "Dockerfile",
                                   "FROM busybox:test\nRUN busybox mv /etc /etc.moved && busybox ln -s " + victim.string() + " /etc\n");
  auto r = p.run({"build"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(stdfs::exists(victim / "hosts"));
  CHECK(stdfs::exists(victim / "resolv.conf"));
}
