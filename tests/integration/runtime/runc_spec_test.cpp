// A bundle written by `runc spec` (Debian's runc) runs unchanged but for its command: the
// same document runc takes is enough for us.
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

TEST_CASE("runtime: a bundle made by `runc spec` runs") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  stdfs::remove(b.dir / "config.json");
  Result spec = run_argv({"/usr/sbin/runc", "spec", "--bundle", b.dir.string()}, sb.dir);
  REQUIRE(spec.status == 0);
  json config = json::parse(mycompose::fs::read_file(b.dir / "config.json"));
  config["process"]["terminal"] = false;
  config["process"]["args"] = {"sh", "-c", "echo hello; id -u; cat /proc/1/cmdline | tr '\\0' ' '"};
  mycompose::fs::write_file_atomic(b.dir / "config.json", config.dump(2));

  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("hello\n0\n", 0) == 0);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
