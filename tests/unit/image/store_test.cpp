// Blob store, digest verification, layers and refs of ImageStore.
#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/image/store.hpp"
#include "unit/image/tar_builder.hpp"

using namespace mycompose::image;
using namespace mycompose::image::test;

namespace {

std::string config_for(const std::vector<std::string>& diff_ids, const std::string& cmd = "sh") {
  nlohmann::json c = {{"architecture", "amd64"},
                      {"os", "linux"},
                      {"created", "2024-01-02T03:04:05Z"},
                      {"config", {{"Cmd", {cmd}}}},
                      {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  return c.dump();
}

LayerInfo add_tar_layer(ImageStore& s, const std::string& parent, const std::string& tar) {
  auto blob = s.put_blob(tar);
  return s.add_layer(parent, blob, "", "application/vnd.oci.image.layer.v1.tar");
}

}  // namespace

TEST_CASE("store: put_blob stores content under its sha256") {
  TempDir t;
  ImageStore s(t.path);
  auto d = s.put_blob("hello");
  CHECK(d == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  CHECK(s.has_blob(d));
  CHECK(s.read_blob(d) == "hello");
  CHECK(s.blob_path(d) == t.path / "content/sha256/2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

TEST_CASE("store: a blob whose digest does not match is refused and nothing is stored") {
  TempDir t;
  ImageStore s(t.path);
  const std::string wrong = "sha256:" + std::string(64, '0');
  {
    auto w = s.write_blob("layer sha256:0000 of busybox");
    w.write("abc", 3);
    CHECK_THROWS_WITH(w.commit(wrong),
                      "layer sha256:0000 of busybox: digest mismatch: expected " + wrong +
                          ", got sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
  CHECK_THROWS_WITH(s.put_blob("abc", wrong), Catch::Contains("digest mismatch"));
  CHECK(list_tree(t.path / "content/sha256").empty());
  CHECK(list_tree(t.path / "content/tmp").empty());
  CHECK_FALSE(s.has_blob(wrong));
}

TEST_CASE("store: a blob with the wrong size is refused") {
  TempDir t;
  ImageStore s(t.path);
  auto w = s.write_blob("config");
  w.write("abcd", 4);
  CHECK_THROWS_WITH(w.commit("", 5), "config: size mismatch: expected 5 bytes, got 4");
  CHECK(list_tree(t.path / "content/sha256").empty());
}

TEST_CASE("store: an abandoned blob writer leaves no temporary file") {
  TempDir t;
  ImageStore s(t.path);
  {
    auto w = s.write_blob();
    w.write("partial", 7);
    CHECK(list_tree(t.path / "content/tmp").size() == 1);
  }
  CHECK(list_tree(t.path / "content/tmp").empty());
}

TEST_CASE("store: chain ids follow the OCI formula") {
  CHECK(ImageStore::chain_id("", "sha256:bbb") == "sha256:bbb");
  // printf 'sha256:aaa sha256:bbb' | sha256sum
  CHECK(ImageStore::chain_id("sha256:aaa", "sha256:bbb") ==
        "sha256:56efb1d4f6c79b745d37d6eff87e3ed8dd2be28104e124ba73fd6e6c4892c792");
}

TEST_CASE("store: a layer whose diff id does not match is refused and leaves nothing") {
  TempDir t;
  ImageStore s(t.path);
  auto tar = make_tar({file("a", "1")}, "gzip");
  auto blob = s.put_blob(tar);
  const std::string wrong = "sha256:" + std::string(64, '1');
  CHECK_THROWS_WITH(s.add_layer("", blob, wrong, "", "layer 1 of x"),
                    Catch::StartsWith("layer 1 of x: diff id mismatch: expected " + wrong + ", got sha256:"));
  CHECK(list_tree(t.path / "layers").empty());
}

TEST_CASE("store: diff id is the sha256 of the uncompressed tar, whatever the compression") {
  TempDir t;
  ImageStore s(t.path);
  auto plain = make_tar({dir("etc"), file("etc/motd", "hi\n")});
  const std::string diff_id = "sha256:" + mycompose::sha256_hex(plain);
  for (const char* filter : {"none", "gzip", "zstd"}) {
    INFO(filter);
    auto blob = s.put_blob(filter == std::string("none") ? plain : make_tar({dir("etc"), file("etc/motd", "hi\n")}, filter));
    auto l = s.add_layer("", blob, diff_id);
    CHECK(l.diff_id == diff_id);
    CHECK(l.chain_id == diff_id);
    CHECK(mycompose::fs::read_file(s.layer_dir(l.chain_id) / "etc/motd") == "hi\n");
  }
}

TEST_CASE("store: images, tags, resolve, shared layers, remove and prune") {
  TempDir t;
  ImageStore s(t.path);
  auto base = add_tar_layer(s, "", make_tar({dir("bin"), file("bin/sh", "#!", 0755)}));
  auto top1 = add_tar_layer(s, base.chain_id, make_tar({file("one", "1")}));
  auto top2 = add_tar_layer(s, base.chain_id, make_tar({file("two", "22")}));
  auto id1 = s.add_image(config_for({base.diff_id, top1.diff_id}, "one"), {base, top1});
  auto id2 = s.add_image(config_for({base.diff_id, top2.diff_id}, "two"), {base, top2});
  CHECK(id1 == "sha256:" + mycompose::sha256_hex(s.image_config_bytes(id1)));
  CHECK(s.layer_dirs(id1) == std::vector<std::filesystem::path>{s.layer_dir(base.chain_id), s.layer_dir(top1.chain_id)});
  // The same base layer added again (as a second pull of it would) is not unpacked twice.
  auto again = s.add_layer("", s.put_blob(make_tar({dir("bin"), file("bin/sh", "#!", 0755)})), base.diff_id);
  CHECK(again.chain_id == base.chain_id);
  auto top_level = std::distance(std::filesystem::directory_iterator(t.path / "layers"), {});
  CHECK(top_level == 3);

  s.tag(Reference::parse("app:one"), id1);
  s.tag(Reference::parse("app:two"), id2);
  s.tag(Reference::parse("localhost:5000/app"), id2);
  CHECK(s.resolve("app:one") == id1);
  CHECK(s.resolve("docker.io/library/app:two") == id2);
  CHECK(s.resolve(id1) == id1);
  CHECK(s.resolve(id1.substr(7, 12)) == id1);
  CHECK_FALSE(s.resolve("app"));  // app:latest does not exist
  CHECK_THROWS_WITH(s.resolve_or_throw("app"), "No such image: app:latest");

  auto sum = s.summary(id2);
  CHECK(sum.repo_tags.size() == 2);
  CHECK(sum.size == 2 + 2);
  CHECK(sum.created == "2024-01-02T03:04:05Z");

  // An id with two tags needs force; untagging one tag keeps the image.
  CHECK_THROWS_WITH(s.remove(id2), "conflict: unable to delete " + id2.substr(7, 12) +
                                       " (must be forced) - image is referenced in multiple repositories");
  CHECK(s.remove("app:two") == std::vector<std::string>{"Untagged: app:two"});
  CHECK(s.resolve(id2) == id2);
  auto lines = s.remove("localhost:5000/app");
  CHECK(lines.front() == "Untagged: localhost:5000/app:latest");
  CHECK(lines[1] == "Deleted: " + id2);
  CHECK_FALSE(s.resolve(id2));
  CHECK_FALSE(s.has_layer(top2.chain_id));  // only image 2 used it
  CHECK(s.has_layer(base.chain_id));        // still used by image 1
  CHECK_FALSE(s.has_blob(id2));

  // prune: dangling only, then -a.
  s.add_image(config_for({base.diff_id}, "dangling"), {base});
  auto r = s.prune(false);
  CHECK(r.lines.size() == 1);
  CHECK(s.list().size() == 1);
  r = s.prune(true);
  CHECK(s.list().empty());
  CHECK(list_tree(t.path / "layers").empty());
  CHECK(list_tree(t.path / "content/sha256").empty());
  CHECK(r.reclaimed > 0);
}

TEST_CASE("store: add_image refuses layers that do not match the config") {
  TempDir t;
  ImageStore s(t.path);
  auto l = add_tar_layer(s, "", make_tar({file("a", "1")}));
  CHECK_THROWS_WITH(s.add_image(config_for({}), {l}),
                    "image config lists 0 layers (rootfs.diff_ids) but 1 were given");
  const std::string other = "sha256:" + std::string(64, '2');
  CHECK_THROWS_WITH(s.add_image(config_for({other}), {l}),
                    "image config layer 0 has diff id " + other + " but the layer given is " + l.diff_id);
  CHECK(s.list().empty());
}
