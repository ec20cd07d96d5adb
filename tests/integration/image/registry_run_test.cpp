// The whole path of issue [C] into [B]: an image pushed to a real registry, pulled into a
// fresh root, then run by our runtime on an overlay of its unpacked layers.
#include <catch2/catch.hpp>

#include "integration/image/registry_fixture.hpp"
#include "integration/runtime/runtime_helpers.hpp"
#include "mycompose/runtime/overlay.hpp"

using namespace registry_test;
using mycompose::image::Reference;

namespace {

// Unmounts the overlay before the temp folder holding it is removed.
struct OverlayGuard {
  std::string target;
  ~OverlayGuard() { mycompose::runtime::unmount_overlay(target); }
};

}  // namespace

TEST_CASE("registry: a pulled image runs in the runtime on an overlay of its layers") {
  Registry reg;
  Machine a, b;
  std::string ref = reg.host() + "/run/busybox:1";
  make_busybox_image(a, ref);
  REQUIRE(a.mycompose({"image", "push", ref}).rc == 0);
  auto pull = b.mycompose({"image", "pull", "-q", ref});
  INFO(pull.err);
  REQUIRE(pull.rc == 0);
  auto id = b.store().resolve(Reference::parse(ref).str());
  REQUIRE(id);
  auto layers = b.store().layer_dirs(*id);
  REQUIRE_FALSE(layers.empty());

  TempDir work("registry-run");
  auto bundle = work.path / "bundle";
  auto rootfs = bundle / "rootfs";
  for (const char* d : {"bundle/rootfs", "upper", "work"}) stdfs::create_directories(work.path / d);
  mycompose::runtime::OverlayLayers ov;
  for (const auto& l : layers) ov.lower.push_back(l.string());
  ov.upper = (work.path / "upper").string();
  ov.work = (work.path / "work").string();
  ov.links_dir = (work.path / "l").string();
  mycompose::runtime::mount_overlay(rootfs.string(), ov);
  OverlayGuard guard{rootfs.string()};

  auto config = rttest::default_config({"/bin/sh", "-c", "echo hello from a pulled image; echo $$"});
  config["root"] = {{"path", "rootfs"}, {"readonly", false}};
  mycompose::fs::write_file_atomic(bundle / "config.json", config.dump(2));

  auto r = b.mycompose({"runtime", "run", "--bundle", bundle.string(), "pulled"});
  INFO(r.err);
  CHECK(r.rc == 0);
  CHECK(r.out == "hello from a pulled image\n2\n");  // pid 1 is our init, the app is pid 2
  // The container's mount points went to the overlay's upper folder, never into the layer.
  CHECK(stdfs::exists(work.path / "upper" / "proc"));
  CHECK_FALSE(stdfs::exists(layers[0] / "proc"));
  auto left = b.mycompose({"runtime", "list"});
  CHECK(left.out.find("pulled") == std::string::npos);
}
