// A built image's layers exist only as folders; their diff ids were hashed from the folder's
// tar at commit. `save` writes that tar again byte for byte, so a fresh store loads the image
// under the same id, whiteouts included.
#include <catch2/catch.hpp>

#include "build_helpers.hpp"

using namespace buildtest;

TEST_CASE("build save: a built image (with a whiteout) saves and loads into a fresh store under the same id") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("data.txt", "data\n");
  auto r = sb.build_text(
      "FROM busybox:test\n"
      "COPY data.txt /srv/data.txt\n"
      "RUN rm /etc/group && mkdir -p /var/x && echo y > /var/x/y\n");
  CHECK(!sb.image_file(r.id, "/etc/group"));  // a whiteout in the RUN layer
  auto tar = sb.dir / "saved.tar";
  mycompose::image::save_images(sb.store, {r.id}, tar.string());
  mycompose::image::ImageStore fresh(sb.dir / "fresh-root");
  auto lines = mycompose::image::load_archive(fresh, tar.string());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "Loaded image ID: " + r.id);
  CHECK(fresh.image_layers(r.id).size() == sb.store.image_layers(r.id).size());
  auto dirs = fresh.layer_dirs(r.id);
  CHECK(mycompose::fs::read_file(dirs[1] / "srv" / "data.txt") == "data\n");
  struct stat st {};
  REQUIRE(::lstat((dirs[2] / "etc" / "group").c_str(), &st) == 0);
  CHECK(S_ISCHR(st.st_mode));  // loaded back as an overlay whiteout
}
