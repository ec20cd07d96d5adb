// "org.mycompose.sourceRoot" in a mount object (runtime/mount_source.hpp): the runtime itself
// refuses a bind source reached through a symlink below that root, at every create, with an
// error naming the mount and the link, and leaves nothing behind. The attacks through the
// engine are in tests/security/volume_subpath_symlink_test.cpp.
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

TEST_CASE("runtime: a bind source below its sourceRoot is mounted, one through a symlink is refused") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"cat", "/data/file"});
  const stdfs::path volume = b.dir / "volume";
  stdfs::create_directories(volume / "sub");
  mycompose::fs::write_file_atomic(volume / "sub/file", "in the volume\n");
  stdfs::create_directories(b.dir / "host/sub");
  mycompose::fs::write_file_atomic(b.dir / "host/sub/file", "host\n");
  b.config["mounts"].push_back({{"destination", "/data"},
                                {"type", "bind"},
                                {"source", (volume / "sub").string()},
                                {"org.mycompose.sourceRoot", volume.string()},
                                {"options", {"rbind"}}});
  b.write();
  Result ok = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(ok.status == 0);
  CHECK(ok.out == "in the volume\n");
  sb.rt({"delete", "-f", "c1"});

  stdfs::remove_all(volume / "sub");
  stdfs::create_directory_symlink("../host/sub", volume / "sub");
  for (const char* verb : {"create", "run"}) {
    Result r = sb.rt({verb, "--bundle", b.dir.string(), "c1"});
    CHECK(r.status != 0);
    CHECK(r.err.find("mount /data: mount source \"" + (volume / "sub").string() + "\" is a symbolic link; below \"" +
                     volume.string() + "\" none is followed") != std::string::npos);
    CHECK(r.out.find("host") == std::string::npos);
    CHECK(sb.leftovers("c1", b.rootfs()).empty());
  }
}

TEST_CASE("runtime: a sourceRoot that does not hold the source is refused before anything is made") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["mounts"].push_back(
      {{"destination", "/data"}, {"type", "bind"}, {"source", "/etc"}, {"org.mycompose.sourceRoot", "/var"}, {"options", {"rbind"}}});
  b.write();
  Result r = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(r.status == 1);
  CHECK(r.err.find("org.mycompose.sourceRoot must be an absolute folder holding the source") != std::string::npos);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
