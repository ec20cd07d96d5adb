// env_file: string, list and long form → [{path (absolute), required}].
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("env_file: a string is one required file, made absolute", "[env_file]") {
  CHECK(web("services:\n  web:\n    image: x\n    env_file: .env.web\n")["env_file"].dump() ==
        R"([{"path":"/srv/proj/.env.web","required":true}])");
}

TEST_CASE("env_file: list with long forms", "[env_file]") {
  json w = web(R"(services:
  web:
    image: x
    env_file:
      - common.env
      - path: ./override.env
        required: false
      - path: /etc/app.env
        format: raw
)");
  CHECK(w["env_file"].dump() ==
        R"([{"path":"/srv/proj/common.env","required":true},{"path":"/srv/proj/override.env","required":false},{"path":"/etc/app.env","format":"raw","required":true}])");
}

TEST_CASE("env_file: errors", "[env_file]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    env_file:\n      - required: false\n") ==
        "compose.yaml:5:9: services.web.env_file[0]: missing required key \"path\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    env_file:\n      - path: a\n        required: maybe\n") ==
        "compose.yaml:6:19: services.web.env_file[0].required must be a boolean, got \"maybe\"");
}

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace {
// A scratch project folder, removed when the test ends.
struct TempProject {
  std::filesystem::path dir;
  TempProject() {
    char tmpl[] = "/tmp/mycompose-envfile-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~TempProject() { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
};
}  // namespace

TEST_CASE("env_file: the files' variables fill the environment, environment wins", "[env_file]") {
  TempProject p;
  p.write("a.env", "# comment\nA=from-a\nB=from-a\nexport C=\"quoted ${FROM_SHELL}\"\n");
  p.write("b.env", "B=from-b\nD=${B}-d\n");
  auto ctx = context();
  ctx.working_dir = p.dir.string();
  ctx.resolve_env_files = true;
  json w = web("services:\n  web:\n    image: x\n    env_file: [a.env, b.env, {path: missing.env, required: false}]\n"
               "    environment:\n      A: explicit\n",
               ctx);
  CHECK(w["environment"].dump() == R"({"A":"explicit","B":"from-b","C":"quoted shell value","D":"from-b-d"})");
  CHECK(w["env_file"].size() == 3);
}

TEST_CASE("env_file: a missing required file is an error", "[env_file]") {
  TempProject p;
  auto ctx = context();
  ctx.working_dir = p.dir.string();
  ctx.resolve_env_files = true;
  CHECK(error_of("services:\n  web:\n    image: x\n    env_file: nope.env\n", ctx) ==
        "compose.yaml:4:15: services.web.env_file: env file " + (p.dir / "nope.env").string() + " not found");
}
