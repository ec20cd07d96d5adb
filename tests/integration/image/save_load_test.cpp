// save → load round trips, OCI image layout tarballs, and the tarball `image save` writes.
#include <archive.h>
#include <archive_entry.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "integration/image/cli_helper.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "unit/image/tar_builder.hpp"

using namespace mycompose::image::test;
using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

// Every regular file of a tarball, by name.
std::map<std::string, std::string> read_tar(const std::string& path) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_all(a);
  REQUIRE(archive_read_open_filename(a, path.c_str(), 65536) == ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    std::string data(static_cast<std::size_t>(archive_entry_size(e)), '\0');
    archive_read_data(a, data.data(), data.size());
    out[archive_entry_pathname(e)] = data;
  }
  archive_read_free(a);
  return out;
}

TarEntry blob_entry(const std::string& data) { return file("blobs/sha256/" + mycompose::sha256_hex(data), data); }

std::string digest(const std::string& data) { return "sha256:" + mycompose::sha256_hex(data); }

json inspect(const stdfs::path& root, const std::string& name) {
  auto r = run_mycompose(root, "image inspect " + shell_quote(name));
  INFO(r.err);
  REQUIRE(r.status == 0);
  return json::parse(r.out)[0];
}

}  // namespace

TEST_CASE("image save → load: same image id, layers and content in a fresh store") {
  TempDir t;
  auto a = t.path / "a", b = t.path / "b";
  auto bb = mycompose::fs::read_file("/bin/busybox");
  mycompose::fs::write_file_atomic(t.path / "base.tgz",
                                   make_tar({dir("bin"), file("bin/busybox", bb, 0755), symlink_entry("bin/sh", "busybox")}, "gzip"));
  auto r = run_mycompose(a, "image import -c 'CMD [\"sh\"]' " + shell_quote((t.path / "base.tgz").string()) + " busybox:test");
  REQUIRE(r.status == 0);
  REQUIRE(run_mycompose(a, "image tag busybox:test example.com/team/bb:v2").status == 0);

  auto saved = t.path / "saved.tar";
  r = run_mycompose(a, "image save -o " + shell_quote(saved.string()) + " busybox:test example.com/team/bb:v2");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());

  // What docker load reads: manifest.json pointing at a config and uncompressed layer tars.
  auto files = read_tar(saved.string());
  auto manifest = json::parse(files.at("manifest.json"));
  REQUIRE(manifest.size() == 1);
  CHECK(manifest[0]["RepoTags"] == json::array({"busybox:test", "example.com/team/bb:v2"}));
  auto src = inspect(a, "busybox:test");
  CHECK(manifest[0]["Config"] == "blobs/sha256/" + src["Id"].get<std::string>().substr(7));
  REQUIRE(manifest[0]["Layers"].size() == 1);
  auto layer_tar = files.at(manifest[0]["Layers"][0].get<std::string>());
  CHECK(digest(layer_tar) == src["RootFS"]["Layers"][0]);
  CHECK(files.count("oci-layout") == 1);
  auto index = json::parse(files.at("index.json"));
  CHECK(index["manifests"].size() == 2);
  CHECK(index["manifests"][0]["annotations"]["io.containerd.image.name"] == "docker.io/library/busybox:test");
  CHECK(json::parse(files.at("repositories"))["busybox"]["test"] == src["Id"].get<std::string>().substr(7));

  r = run_mycompose(b, "image load -i " + shell_quote(saved.string()));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "Loaded image: busybox:test\nLoaded image: example.com/team/bb:v2\n");
  auto dst = inspect(b, "example.com/team/bb:v2");
  CHECK(dst["Id"] == src["Id"]);
  CHECK(dst["RootFS"] == src["RootFS"]);
  CHECK(dst["Config"] == src["Config"]);
  CHECK(dst["Created"] == src["Created"]);
  CHECK(mycompose::fs::read_file(stdfs::path(dst["GraphDriver"]["Data"]["LowerDir"].get<std::string>()) / "bin/busybox") == bb);

  // Loading from stdin gives the same result, and saving again gives the same bytes.
  auto c = t.path / "c";
  r = run_mycompose(c, "image load", saved.string());
  CHECK(r.out == "Loaded image: busybox:test\nLoaded image: example.com/team/bb:v2\n");
  auto again = t.path / "again.tar";
  REQUIRE(run_mycompose(b, "image save -o " + shell_quote(again.string()) + " busybox:test example.com/team/bb:v2").status == 0);
  CHECK(mycompose::fs::read_file(again) == mycompose::fs::read_file(saved));
}

TEST_CASE("image load: an OCI image layout tarball (gzip and zstd layers, nested index) loads") {
  TempDir t;
  auto base = make_tar({dir("etc"), file("etc/os-release", "ID=test\n")});
  auto top = make_tar({file("etc/motd", "hello\n"), file("etc/.wh.os-release", "")});
  auto base_gz = make_tar({dir("etc"), file("etc/os-release", "ID=test\n")}, "gzip");
  auto top_zst = make_tar({file("etc/motd", "hello\n"), file("etc/.wh.os-release", "")}, "zstd");
  json config = {{"architecture", "amd64"},
                 {"os", "linux"},
                 {"created", "2024-05-06T07:08:09Z"},
                 {"config", {{"Cmd", {"/bin/true"}}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", {digest(base), digest(top)}}}}};
  auto config_s = config.dump();
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", digest(config_s)}, {"size", config_s.size()}}},
                   {"layers",
                    {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"}, {"digest", digest(base_gz)}, {"size", base_gz.size()}},
                     {{"mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"}, {"digest", digest(top_zst)}, {"size", top_zst.size()}}}}};
  auto manifest_s = manifest.dump();
  json nested = {{"schemaVersion", 2},
                 {"mediaType", "application/vnd.oci.image.index.v1+json"},
                 {"manifests",
                  {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                    {"digest", digest(manifest_s)},
                    {"size", manifest_s.size()},
                    {"platform", {{"architecture", "amd64"}, {"os", "linux"}}}}}}};
  auto nested_s = nested.dump();
  json index = {{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                   {"digest", digest(nested_s)},
                   {"size", nested_s.size()},
                   {"annotations", {{"io.containerd.image.name", "registry.test/oci/app:1.0"}, {"org.opencontainers.image.ref.name", "1.0"}}}}}}};
  auto tar = make_tar({file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"), file("index.json", index.dump()), dir("blobs"),
                       dir("blobs/sha256"), blob_entry(config_s), blob_entry(manifest_s), blob_entry(nested_s),
                       blob_entry(base_gz), blob_entry(top_zst)});
  mycompose::fs::write_file_atomic(t.path / "oci.tar", tar);
  auto root = t.path / "root";
  auto r = run_mycompose(root, "image load -i " + shell_quote((t.path / "oci.tar").string()));
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "Loaded image: registry.test/oci/app:1.0\n");
  auto img = inspect(root, "registry.test/oci/app:1.0");
  CHECK(img["Id"] == digest(config_s));
  CHECK(img["RootFS"]["Layers"] == json::array({digest(base), digest(top)}));
  auto lower = img["GraphDriver"]["Data"]["LowerDir"].get<std::string>();
  auto top_dir = lower.substr(0, lower.find(':'));
  CHECK(mycompose::fs::read_file(stdfs::path(top_dir) / "etc/motd") == "hello\n");
  CHECK(stdfs::status(stdfs::path(top_dir) / "etc/os-release").type() == stdfs::file_type::character);
}

TEST_CASE("image load: a layer whose digest does not match the OCI manifest is refused, nothing stored") {
  TempDir t;
  auto layer = make_tar({file("a", "1")}, "gzip");
  auto config_s = json({{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", {digest(make_tar({file("a", "1")}))}}}}}).dump();
  const std::string wrong = "sha256:" + std::string(64, 'e');
  json manifest = {{"schemaVersion", 2},
                   {"config", {{"digest", digest(config_s)}, {"size", config_s.size()}}},
                   {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"}, {"digest", wrong}, {"size", layer.size()}}}}};
  auto manifest_s = manifest.dump();
  json index = {{"schemaVersion", 2}, {"manifests", {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", digest(manifest_s)}}}}};
  // The layer is stored under the name the manifest promises, but its bytes differ.
  auto tar = make_tar({file("oci-layout", "{}"), file("index.json", index.dump()), blob_entry(config_s), blob_entry(manifest_s),
                       file("blobs/sha256/" + wrong.substr(7), layer)});
  mycompose::fs::write_file_atomic(t.path / "bad.tar", tar);
  auto root = t.path / "root";
  auto r = run_mycompose(root, "image load -i " + shell_quote((t.path / "bad.tar").string()));
  CHECK(r.status == 1);
  CHECK(r.err == "error: " + (t.path / "bad.tar").string() + ": layer " + wrong + ": digest mismatch: expected " + wrong +
                     ", got " + digest(layer) + "\n");
  CHECK(list_tree(root / "content/sha256").empty());
  CHECK(list_tree(root / "layers").empty());
}
