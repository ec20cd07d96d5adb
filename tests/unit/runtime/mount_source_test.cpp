// A bind source opened below its trusted root, following no symlink (mount_source.hpp); the
// attacks themselves run in tests/security/volume_subpath_symlink_test.cpp.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "mycompose/common/error.hpp"
#include "mycompose/runtime/mount_source.hpp"
#include "mycompose/runtime/spec_generator.hpp"
#include "unit/runtime/policy_helpers.hpp"

using namespace mycompose::runtime;
using policy_test::TempDir;
using policy_test::write_text;

namespace {

std::string error_of(const std::string& source, const std::string& root) {
  try {
    open_mount_source(source, root);
  } catch (const mycompose::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("mount source: the part below the root, lexically") {
  CHECK(source_below_root("/v/_data/sub", "/v/_data") == "sub");
  CHECK(source_below_root("/v/_data/a/./b/", "/v/_data/") == "a/b");
  CHECK(source_below_root("/v/_data", "/v/_data") == "");
  CHECK(source_below_root("/etc/hosts", "/") == "etc/hosts");
  CHECK_THROWS_WITH(source_below_root("/v/_database", "/v/_data"), "mount source \"/v/_database\" is not inside its root \"/v/_data\"");
  CHECK_THROWS_WITH(source_below_root("/v/_data/../x", "/v/_data"), "mount source \"/v/_data/../x\" is not inside its root \"/v/_data\"");
  CHECK_THROWS(source_below_root("rel", "/"));
}

TEST_CASE("mount source: no symlink is followed below the root, any is above it") {
  TempDir t("mount-source");
  const auto root = t.path() / "volume";
  write_text(root / "x/y/file", "in the volume\n");
  write_text(t.path() / "outside/y/file", "host\n");
  std::filesystem::create_directory_symlink(t.path(), t.path() / "via");  // above the root: allowed

  struct stat st;
  auto fd = open_mount_source((t.path() / "via/volume/x/y").string(), (t.path() / "via/volume").string());
  REQUIRE(fd);
  REQUIRE(::fstat(fd.get(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(open_mount_source(root.string(), root.string()));

  std::filesystem::remove_all(root / "x");
  std::filesystem::create_directory_symlink(t.path() / "outside", root / "x");
  CHECK(error_of((root / "x/y").string(), root.string()) ==
        "mount source \"" + (root / "x/y").string() + "\": \"" + (root / "x").string() + "\" is a symbolic link; below \"" +
            root.string() + "\" none is followed, as one could lead out of it");
  std::filesystem::remove(root / "x");
  std::filesystem::create_directory_symlink("../outside", root / "x");
  CHECK(error_of((root / "x").string(), root.string()).find("\" is a symbolic link; below") != std::string::npos);
  // Without a root, as runc: the link is followed.
  CHECK(open_mount_source((root / "x/y").string(), ""));
}

TEST_CASE("mount source: the generator writes the root into the mount object") {
  MountSetting m{"/data", "/v/_data/sub", "bind", {}};
  m.source_root = "/v/_data";
  TempDir rootfs("rootfs");
  ContainerSettings s;
  s.rootfs = rootfs.path().string();
  s.mounts = {m};
  ImageConfig image;
  image.cmd = {"true"};
  const auto spec = generate_spec(image, s);
  bool found = false;
  for (const auto& j : spec["mounts"])
    if (j["destination"] == "/data") {
      found = true;
      CHECK(j[kMountSourceRootKey] == "/v/_data");
    }
  CHECK(found);
}
