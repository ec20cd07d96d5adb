// Bad answers from a registry: each a clear error naming the ref (and the layer), exit 1,
// and nothing stored.
#include <catch2/catch.hpp>

#include "integration/image/registry_fixture.hpp"
#include "mycompose/common/sha256.hpp"

using namespace registry_test;
using mycompose::image::Reference;

namespace {

// Nothing in the store: no image, no blob, no layer, no temp file.
void check_store_empty(const Machine& m) {
  auto store = m.store();
  CHECK(store.list().empty());
  std::error_code ec;
  CHECK(stdfs::is_empty(m.root() / "content/sha256", ec));
  std::size_t layers = 0;
  for (const auto& e : stdfs::directory_iterator(m.root() / "layers", ec)) layers += e.is_directory();
  CHECK(layers == 0);
  CHECK(leftovers(m.root()).empty());
}

// Puts raw blobs and a manifest into the registry, as a broken or malicious pusher would.
std::string put_raw_image(const Registry& reg, const std::string& repo, const std::string& tag,
                          const std::string& layer, const std::string& diff_id) {
  httplib::Client c("http://" + reg.host());
  auto upload = [&](const std::string& bytes) {
    std::string digest = "sha256:" + mycompose::sha256_hex(bytes);
    auto post = c.Post(("/v2/" + repo + "/blobs/uploads/").c_str());
    REQUIRE(post);
    REQUIRE(post->status == 202);
    std::string loc = post->get_header_value("Location");
    loc = loc.substr(loc.find("/v2/"));
    auto put = c.Put((loc + "&digest=" + digest).c_str(), bytes, "application/octet-stream");
    REQUIRE(put);
    REQUIRE(put->status == 201);
    return digest;
  };
  nlohmann::json config = {{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}};
  std::string config_bytes = config.dump();
  std::string config_digest = upload(config_bytes);
  std::string layer_digest = upload(layer);
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
      {"config", {{"mediaType", "application/vnd.docker.container.image.v1+json"}, {"size", config_bytes.size()}, {"digest", config_digest}}},
      {"layers", {{{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"}, {"size", layer.size()}, {"digest", layer_digest}}}}};
  auto put = c.Put(("/v2/" + repo + "/manifests/" + tag).c_str(), manifest.dump(),
                   "application/vnd.docker.distribution.manifest.v2+json");
  REQUIRE(put);
  REQUIRE(put->status == 201);
  return layer_digest;
}

}  // namespace

TEST_CASE("registry errors: unknown tag is a 404 naming the ref") {
  Registry reg;
  Machine m;
  std::string ref = reg.host() + "/nothing/here:nope";
  auto r = m.mycompose({"image", "pull", ref});
  CHECK(r.rc == 1);
  CHECK(r.err == "error: manifest for " + ref + " not found: manifest unknown: manifest unknown\n");
  check_store_empty(m);
}

TEST_CASE("registry errors: bad references") {
  Machine m;
  auto upper = m.mycompose({"image", "pull", "UPPER:tag"});
  CHECK(upper.rc == 1);
  CHECK(upper.err == "error: invalid reference format: repository name (library/UPPER) must be lowercase\n");
  auto colons = m.mycompose({"image", "pull", "a::b"});
  CHECK(colons.rc == 1);
  CHECK(colons.err == "error: invalid reference format: \"a::b\"\n");
}

TEST_CASE("registry errors: unreachable registry names the ref and the registry") {
  Machine m;
  std::string host = "127.0.0.1:" + std::to_string(free_port());  // nothing listens there
  auto r = m.mycompose({"image", "pull", host + "/x/y:1"});
  CHECK(r.rc == 1);
  CHECK(r.err.find("error: " + host + "/x/y:1: " + host + ": GET http://" + host + "/v2/: ") == 0);
  check_store_empty(m);
}

TEST_CASE("registry errors: a 500 answer") {
  httplib::Server srv;
  srv.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content(R"({"errors":[{"code":"UNKNOWN","message":"storage is on fire"}]})", "application/json");
  });
  int port = srv.bind_to_any_port("127.0.0.1");
  std::thread t([&] { srv.listen_after_bind(); });
  struct Stop {
    httplib::Server& s;
    std::thread& t;
    ~Stop() {
      s.stop();
      t.join();
    }
  } stop{srv, t};
  Machine m;
  std::string host = "127.0.0.1:" + std::to_string(port);
  auto r = m.mycompose({"image", "pull", host + "/x/y:1"});
  CHECK(r.rc == 1);
  CHECK(r.err == "error: " + host + "/x/y:1: " + host + ": GET http://" + host + "/v2/: unknown: storage is on fire\n");
  check_store_empty(m);
}

TEST_CASE("registry errors: a layer whose bytes do not match its digest") {
  Registry reg;
  Machine a, b;
  std::string ref = reg.host() + "/corrupt/busybox:latest";
  std::string id = make_busybox_image(a, ref);
  REQUIRE(a.mycompose({"image", "push", ref}).rc == 0);
  std::string blob = a.store().image_layers(id).at(0).blob;
  // Flip one byte in the registry's copy (same size): it serves it without checking.
  auto data = reg.blob_data(blob);
  std::string bytes = mycompose::fs::read_file(data);
  bytes[bytes.size() / 2] ^= 0x55;
  mycompose::fs::write_file_atomic(data, bytes);

  auto r = b.mycompose({"image", "pull", ref});
  CHECK(r.rc == 1);
  CHECK(r.err.find("error: " + ref + ": layer " + blob + ": digest mismatch: expected " + blob + ", got sha256:") == 0);
  check_store_empty(b);
}

TEST_CASE("registry errors: a truncated gzip layer") {
  Registry reg;
  Machine m;
  // A gzip stream cut in half: its digest is right (it is what was pushed) but it does not unpack.
  TempDir work;
  auto r0 = run({"sh", "-c", "head -c 300000 /bin/busybox | gzip -n | head -c 20000 > '" + (work.path / "t.gz").string() + "'"});
  REQUIRE(r0.rc == 0);
  std::string layer = mycompose::fs::read_file(work.path / "t.gz");
  std::string diff_id = "sha256:" + std::string(64, 'a');
  std::string digest = put_raw_image(reg, "truncated/img", "v1", layer, diff_id);
  std::string ref = reg.host() + "/truncated/img:v1";
  auto r = m.mycompose({"image", "pull", ref});
  INFO(r.out);
  CHECK(r.rc == 1);
  CHECK(r.err.find("error: " + ref + ": layer " + digest + ": ") == 0);
  check_store_empty(m);
}
