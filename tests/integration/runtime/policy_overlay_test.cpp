// Overlay mounts with 128 layers through short layer links. Needs root.
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "mycompose/common/error.hpp"
#include "mycompose/runtime/overlay.hpp"

using namespace mycompose::runtime;
namespace stdfs = std::filesystem;

namespace {

struct Scratch {
  stdfs::path dir;
  std::string target;
  Scratch() {
    // A long base path on purpose: the full layer paths would not fit in one page.
    std::string tmpl = (stdfs::temp_directory_path() / "mycompose-overlay-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()));
    dir = stdfs::path(tmpl) / "var/lib/mycompose-with-a-rather-long-state-root-name/layers";
    stdfs::create_directories(dir);
  }
  ~Scratch() {
    if (!target.empty()) ::umount2(target.c_str(), MNT_DETACH);
    std::error_code ec;
    stdfs::remove_all(dir.parent_path().parent_path().parent_path().parent_path(), ec);
  }
};

std::string slurp(const stdfs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool is_mounted(const std::string& target) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.find(" " + target + " ") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("overlay: 128 layers mount through short links, upper takes the writes") {
  Scratch s;
  OverlayLayers layers;
  std::size_t full_length = 0;
  for (int i = 0; i < 128; ++i) {
    auto layer = s.dir / ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd" + std::to_string(1000 + i)) / "diff";
    stdfs::create_directories(layer);
    std::ofstream(layer / ("file" + std::to_string(i))) << i;
    std::ofstream(layer / "shared") << "layer " << i;  // the top-most layer must win
    layers.lower.push_back(layer.string());
    full_length += layer.string().size() + 1;
  }
  REQUIRE(full_length > 4096);  // the plain lowerdir list would not fit
  layers.upper = (s.dir / "c1/upper").string();
  layers.work = (s.dir / "c1/work").string();
  layers.links_dir = (s.dir / "l").string();
  stdfs::create_directories(layers.upper);
  stdfs::create_directories(layers.work);
  const auto target = s.dir / "c1/merged";
  stdfs::create_directories(target);

  s.target = target.string();
  mount_overlay(target.string(), layers);
  CHECK(is_mounted(target.string()));
  CHECK(slurp(target / "file0") == "0");
  CHECK(slurp(target / "file127") == "127");
  CHECK(slurp(target / "shared") == "layer 127");
  std::ofstream(target / "new") << "written";
  CHECK(slurp(stdfs::path(layers.upper) / "new") == "written");
  CHECK_FALSE(stdfs::exists(stdfs::path(layers.lower.back()) / "new"));
  // The process cwd was not moved by the mount helper.
  CHECK(stdfs::current_path() != s.dir);

  // Links are stable: the same layer gets the same short name.
  CHECK(layer_link(layers.links_dir, layers.lower[5]) == layer_link(layers.links_dir, layers.lower[5]));
  CHECK(std::distance(stdfs::directory_iterator(layers.links_dir), stdfs::directory_iterator()) == 128);

  unmount_overlay(target.string());
  s.target.clear();
  CHECK_FALSE(is_mounted(target.string()));
  CHECK_NOTHROW(unmount_overlay(target.string()));  // already gone: nothing to do

  stdfs::remove_all(stdfs::path(layers.lower[0]).parent_path());
  prune_layer_links(layers.links_dir);
  CHECK(std::distance(stdfs::directory_iterator(layers.links_dir), stdfs::directory_iterator()) == 127);
}

TEST_CASE("overlay: read-only overlay and bad input") {
  Scratch s;
  OverlayLayers layers;
  layers.links_dir = (s.dir / "l").string();
  for (const char* name : {"a", "b"}) {
    stdfs::create_directories(s.dir / name);
    std::ofstream(s.dir / name / name) << name;
    layers.lower.push_back((s.dir / name).string());
  }
  const auto target = s.dir / "ro";
  stdfs::create_directories(target);
  s.target = target.string();
  mount_overlay(target.string(), layers);
  CHECK(slurp(target / "a") == "a");
  CHECK(slurp(target / "b") == "b");
  CHECK_FALSE(std::ofstream(target / "x").good());
  unmount_overlay(target.string());
  s.target.clear();

  OverlayLayers one;
  one.lower = {layers.lower[0]};
  one.links_dir = layers.links_dir;
  CHECK_THROWS_WITH(mount_overlay(target.string(), one),
                    "overlay on " + target.string() + ": a read-only overlay needs at least two lower layers");
  OverlayLayers missing = layers;
  missing.lower.push_back((s.dir / "does-not-exist").string());
  CHECK_THROWS_WITH(mount_overlay(target.string(), missing), Catch::Contains("mount overlay on " + target.string()));
  CHECK_FALSE(is_mounted(target.string()));
}
