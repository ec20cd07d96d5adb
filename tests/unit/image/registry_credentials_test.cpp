#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "mycompose/common/fs.hpp"
#include "mycompose/image/registry_auth.hpp"

using namespace mycompose::image::registry;
using nlohmann::json;

namespace {

// A temp DOCKER_CONFIG for one test case; restores the environment and removes the folder.
struct TempDockerConfig {
  std::filesystem::path dir;
  std::string saved;
  bool had = false;
  TempDockerConfig() {
    char tmpl[] = "/tmp/registry-cred-XXXXXX";
    dir = ::mkdtemp(tmpl);
    if (const char* v = std::getenv("DOCKER_CONFIG")) {
      had = true;
      saved = v;
    }
    ::setenv("DOCKER_CONFIG", dir.c_str(), 1);
  }
  ~TempDockerConfig() {
    if (had) ::setenv("DOCKER_CONFIG", saved.c_str(), 1);
    else ::unsetenv("DOCKER_CONFIG");
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

TEST_CASE("credentials: lookup by registry in config.json auths") {
  json config = {{"auths",
                  {{"https://index.docker.io/v1/", {{"auth", base64_encode("hubuser:hubpass")}}},
                   {"localhost:5000", {{"auth", base64_encode("alice:s3cr:et")}}},
                   {"http://127.0.0.1:5001", {{"username", "bob"}, {"password", "pw"}}},
                   {"ghcr.io", {{"identitytoken", "tok"}}}}}};
  auto hub = find_credentials(config, "docker.io");
  REQUIRE(hub);
  CHECK(hub->username == "hubuser");
  CHECK(hub->password == "hubpass");
  CHECK(find_credentials(config, "registry-1.docker.io")->username == "hubuser");
  auto local = find_credentials(config, "localhost:5000");
  REQUIRE(local);
  CHECK(local->username == "alice");
  CHECK(local->password == "s3cr:et");  // only the first ':' separates
  CHECK(find_credentials(config, "127.0.0.1:5001")->username == "bob");
  CHECK(find_credentials(config, "ghcr.io")->identity_token == "tok");
  CHECK_FALSE(find_credentials(config, "localhost:5001").has_value());
  CHECK_FALSE(find_credentials(json::object(), "docker.io").has_value());
}

TEST_CASE("credentials: config_key and path follow the Docker CLI") {
  CHECK(config_key("docker.io") == "https://index.docker.io/v1/");
  CHECK(config_key("index.docker.io") == "https://index.docker.io/v1/");
  CHECK(config_key("localhost:5000") == "localhost:5000");
  TempDockerConfig t;
  CHECK(docker_config_path() == t.dir / "config.json");
}

TEST_CASE("credentials: store keeps other keys, writes mode 0600, erase removes the entry") {
  TempDockerConfig t;
  mycompose::fs::write_file_atomic(t.dir / "config.json",
                                   R"({"auths":{"other:1":{"auth":"eDp5"}},"psFormat":"table {{.ID}}"})");
  CHECK_FALSE(load_credentials("localhost:5000").has_value());
  store_credentials("localhost:5000", {"alice", "pw", ""});
  struct stat st {};
  REQUIRE(::stat((t.dir / "config.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto c = load_credentials("localhost:5000");
  REQUIRE(c);
  CHECK(c->username == "alice");
  CHECK(c->password == "pw");
  auto doc = json::parse(mycompose::fs::read_file(t.dir / "config.json"));
  CHECK(doc["psFormat"] == "table {{.ID}}");
  CHECK(doc["auths"]["localhost:5000"]["auth"] == base64_encode("alice:pw"));
  CHECK(load_credentials("other:1")->username == "x");
  CHECK(erase_credentials("localhost:5000"));
  CHECK_FALSE(erase_credentials("localhost:5000"));
  CHECK_FALSE(load_credentials("localhost:5000").has_value());
  CHECK(load_credentials("other:1").has_value());
}

TEST_CASE("credentials: malformed config.json is an error naming the file") {
  TempDockerConfig t;
  mycompose::fs::write_file_atomic(t.dir / "config.json", "{not json");
  CHECK_THROWS_WITH(load_credentials("localhost:5000"),
                    Catch::StartsWith((t.dir / "config.json").string() + ": invalid JSON"));
}

TEST_CASE("base64 round trip") {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "user:pass"}) CHECK(base64_decode(base64_encode(s)) == s);
  CHECK(base64_decode("dXNlcjpwYXNz") == "user:pass");
}
