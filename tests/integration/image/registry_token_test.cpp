// Docker Hub-style token auth (WWW-Authenticate: Bearer realm/service/scope → GET token)
// and manifest-list platform selection, against a small registry served by the test
// (docker-registry 2.8 has no token server of its own).
#include <catch2/catch.hpp>

#include <mutex>

#include "integration/image/registry_fixture.hpp"

using namespace registry_test;
using mycompose::sha256_hex;
using nlohmann::json;

namespace {

struct TokenRegistry {
  httplib::Server srv;
  std::thread thread;
  int port = 0;
  std::map<std::string, std::string> blobs;  // digest → bytes
  std::string index, index_digest;
  std::mutex mu;
  std::vector<std::string> token_queries, token_auth;

  std::string host() const { return "127.0.0.1:" + std::to_string(port); }
  std::string put(const std::string& bytes) {
    std::string d = "sha256:" + sha256_hex(bytes);
    blobs[d] = bytes;
    return d;
  }
  bool authorized(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Authorization") == "Bearer good-token") return true;
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"test-registry\"");
    res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})", "application/json");
    return false;
  }

  TokenRegistry() {
    srv.Get("/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      token_queries.push_back(req.get_param_value("service") + " " + req.get_param_value("scope"));
      token_auth.push_back(req.get_header_value("Authorization"));
      if (req.get_header_value("Authorization") != "Basic " + std::string("YWxpY2U6cHc=")) {  // alice:pw
        res.status = 401;
        res.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]})",
                        "application/json");
        return;
      }
      res.set_content(R"({"token":"good-token"})", "application/json");
    });
    srv.Get("/v2/", [this](const httplib::Request& req, httplib::Response& res) {
      if (authorized(req, res)) res.set_content("{}", "application/json");
    });
    srv.Get(R"(/v2/private/app/manifests/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::string what = req.matches[1];
      if (what == "1" || what == index_digest) {
        res.set_content(index, "application/vnd.oci.image.index.v1+json");
      } else if (blobs.count(what)) {
        res.set_content(blobs[what], "application/vnd.oci.image.manifest.v1+json");
      } else {
        res.status = 404;
        res.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})", "application/json");
      }
    });
    srv.Get(R"(/v2/private/app/blobs/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (!authorized(req, res)) return;
      std::string d = req.matches[1];
      if (!blobs.count(d)) {
        res.status = 404;
        return;
      }
      res.set_content(blobs[d], "application/octet-stream");
    });
    port = srv.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { srv.listen_after_bind(); });
  }
  ~TokenRegistry() {
    srv.stop();
    thread.join();
  }
};

// One image per architecture: a layer holding /arch with the architecture's name.
json make_platform_manifest(TokenRegistry& reg, const TempDir& work, const std::string& arch) {
  auto dir = work.path / arch;
  stdfs::create_directories(dir);
  mycompose::fs::write_file_atomic(dir / "arch", arch + "\n");
  auto r = run({"sh", "-c", "cd '" + dir.string() + "' && tar --owner=0 --group=0 -cf ../" + arch + ".tar arch && gzip -n -c ../" +
                                arch + ".tar > ../" + arch + ".tar.gz"});
  REQUIRE(r.rc == 0);
  std::string tar = mycompose::fs::read_file(work.path / (arch + ".tar"));
  std::string layer = reg.put(mycompose::fs::read_file(work.path / (arch + ".tar.gz")));
  std::string config = json{{"architecture", arch},
                            {"os", "linux"},
                            {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + sha256_hex(tar)}}}}}
                           .dump();
  std::string config_digest = reg.put(config);
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"size", config.size()}, {"digest", config_digest}}},
                   {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                {"size", reg.blobs[layer].size()},
                                {"digest", layer}}}}};
  std::string m = manifest.dump();
  std::string md = reg.put(m);
  return {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
          {"digest", md},
          {"size", m.size()},
          {"platform", {{"os", "linux"}, {"architecture", arch}}},
          {"config_digest", config_digest}};
}

}  // namespace

TEST_CASE("registry token auth: Bearer challenge, token with scope and credentials, OCI index platform choice") {
  TokenRegistry reg;
  TempDir work;
  json arm = make_platform_manifest(reg, work, "arm64");
  json amd = make_platform_manifest(reg, work, "amd64");
  std::string amd_config = amd["config_digest"];
  arm.erase("config_digest");
  amd.erase("config_digest");
  reg.index = json{{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"}, {"manifests", {arm, amd}}}.dump();
  reg.index_digest = "sha256:" + sha256_hex(reg.index);

  Machine m;
  std::string ref = reg.host() + "/private/app:1";
  auto denied = m.mycompose({"image", "pull", ref}, {{"DOCKER_DEFAULT_PLATFORM", "linux/amd64"}});
  CHECK(denied.rc == 1);
  CHECK(denied.err == "error: " + ref + ": " + reg.host() + ": fetching a token from http://" + reg.host() +
                          ": unauthorized: incorrect username or password\n");

  stdfs::create_directories(m.dir.path / "docker");
  mycompose::fs::write_file_atomic(m.dir.path / "docker/config.json",
                                   R"({"auths":{")" + reg.host() + R"(":{"auth":"YWxpY2U6cHc="}}})");
  auto pull = m.mycompose({"image", "pull", ref}, {{"DOCKER_DEFAULT_PLATFORM", "linux/amd64"}});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  CHECK(pull.out.find("Digest: " + reg.index_digest) != std::string::npos);
  auto store = m.store();
  CHECK(store.resolve(mycompose::image::Reference::parse(ref).str()) == amd_config);
  auto dirs = store.layer_dirs(amd_config);
  REQUIRE(dirs.size() == 1);
  CHECK(mycompose::fs::read_file(dirs[0] / "arch") == "amd64\n");
  std::lock_guard lock(reg.mu);
  CHECK(std::find(reg.token_queries.begin(), reg.token_queries.end(), "test-registry repository:private/app:pull") !=
        reg.token_queries.end());
}
