#include <catch2/catch.hpp>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/loader.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::TempDir;

namespace {

struct Run {
  LoadOptions o;
  std::vector<std::string> warnings;
  explicit Run(const TempDir& d) {
    o.working_dir = d.str();
    o.warn = [this](const std::string& w) { warnings.push_back(w); };
  }
  Project load() { return load_project(o); }
};

}  // namespace

TEST_CASE("loader: discovery, .env, shell over .env, folder name") {
  TempDir d;
  d.write("My App/compose.yaml", "services:\n  web:\n    image: nginx:${TAG}\n    user: ${WHO:-nobody}\n");
  d.write("My App/compose.override.yaml", "services:\n  web:\n    image: nginx:${TAG}-alpine\n");
  d.write("My App/.env", "TAG=1.0\nWHO=file\n");
  d.write("My App/sub/.keep", "");
  Run r(d);
  r.o.working_dir = d.str() + "/My App/sub";
  r.o.environment = {{"WHO", "shell"}};
  Project p = r.load();
  CHECK(p.name == "myapp");
  CHECK(p.working_dir == d.str() + "/My App");
  CHECK(p.config_files == std::vector<std::string>{d.str() + "/My App/compose.yaml", d.str() + "/My App/compose.override.yaml"});
  CHECK(p.environment.at("TAG") == "1.0");
  CHECK(p.environment.at("WHO") == "shell");
  CHECK(p.variables.count("TAG") == 1);
  CHECK(p.model["services"]["web"]["image"] == "nginx:1.0-alpine");
  CHECK(r.warnings.empty());
}

TEST_CASE("loader: no file found") {
  TempDir d;
  Run r(d);
  r.o.files = {};
  r.o.project_directory = d.str();
  // discovery walks up from the project directory; /tmp normally holds no compose file
  try {
    r.load();
  } catch (const ComposeError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("no configuration file provided: not found"));
  }
}

TEST_CASE("loader: -f files, COMPOSE_FILE, COMPOSE_PROJECT_NAME and COMPOSE_PROFILES from .env") {
  TempDir d;
  d.write("a.yaml", "services:\n  web: {image: a}\n  dbg: {image: d, profiles: [debug]}\n");
  d.write("b.yaml", "services:\n  web: {image: b}\n");
  d.write(".env", "COMPOSE_FILE=a.yaml;b.yaml\nCOMPOSE_PATH_SEPARATOR=;\nCOMPOSE_PROJECT_NAME=fromenv\nCOMPOSE_PROFILES=debug\n");
  Run r(d);
  Project p = r.load();
  CHECK(p.name == "fromenv");
  CHECK(p.config_files == std::vector<std::string>{d.str() + "/a.yaml", d.str() + "/b.yaml"});
  CHECK(p.model["services"]["web"]["image"] == "b");
  CHECK(p.model["services"].contains("dbg"));
  CHECK(p.profiles == std::vector<std::string>{"debug"});

  r.o.profiles = {"other"};
  r.o.project_name = "flag";
  p = r.load();
  CHECK(p.name == "flag");
  CHECK_FALSE(p.model["services"].contains("dbg"));
}

TEST_CASE("loader: --env-file and COMPOSE_DISABLE_ENV_FILE") {
  TempDir d;
  d.write("compose.yaml", "services:\n  web: {image: \"x:${V}\"}\n");
  d.write(".env", "V=dotenv\n");
  d.write("alt.env", "V=alt\n");
  Run r(d);
  CHECK(r.load().model["services"]["web"]["image"] == "x:dotenv");
  r.o.env_files = {"alt.env"};
  CHECK(r.load().model["services"]["web"]["image"] == "x:alt");
  r.o.env_files = {};
  r.o.environment = {{"COMPOSE_DISABLE_ENV_FILE", "1"}};
  CHECK(r.load().model["services"]["web"]["image"] == "x:");
  CHECK(r.warnings == std::vector<std::string>{"The \"V\" variable is not set. Defaulting to a blank string."});
}

TEST_CASE("loader: stdin file, top-level name, --project-directory") {
  TempDir d;
  Run r(d);
  r.o.files = {"-"};
  r.o.stdin_content = "name: fromyaml\nservices:\n  web: {image: a}\n";
  Project p = r.load();
  CHECK(p.name == "fromyaml");
  CHECK(p.working_dir == d.str());
  CHECK(p.config_files == std::vector<std::string>{"-"});
  r.o.stdin_content = "name: Bad\nservices: {}\n";
  CHECK_THROWS_WITH(r.load(), Catch::StartsWith("-:1:7: invalid project name \"Bad\""));
}

TEST_CASE("loader: include with its own .env and project directory, and cycles") {
  TempDir d;
  d.write("compose.yaml", "include:\n  - sub/inc.yaml\nservices:\n  web: {image: w, depends_on: [db]}\n");
  d.write("sub/inc.yaml", "services:\n  db: {image: \"pg:${PGTAG}\", build: ./ctx}\n");
  d.write("sub/.env", "PGTAG=16\n");
  Run r(d);
  Project p = r.load();
  CHECK(p.model["services"]["db"]["image"] == "pg:16");
  CHECK(p.model["services"]["db"]["build"].dump().find(d.str() + "/sub/ctx") != std::string::npos);

  d.write("sub/inc.yaml", "include: [../compose.yaml]\nservices: {}\n");
  CHECK_THROWS_WITH(r.load(), Catch::Contains("include cycle: " + d.str() + "/compose.yaml -> " + d.str() +
                                              "/sub/inc.yaml -> " + d.str() + "/compose.yaml"));
}

TEST_CASE("loader: extends across files through the loader") {
  TempDir d;
  d.write("compose.yaml", "services:\n  web: {extends: {file: lib/base.yaml, service: b}, image: w}\n");
  d.write("lib/base.yaml", "services:\n  b: {image: b, user: \"${U:-nobody}\"}\n");
  Run r(d);
  Project p = r.load();
  CHECK(p.model["services"]["web"]["image"] == "w");
  CHECK(p.model["services"]["web"]["user"] == "nobody");
}

TEST_CASE("loader: the obsolete `version` is warned about once per file that has it, named by its path, as compose-go") {
  TempDir d;
  d.write("compose.yaml", "version: '3.8'\nservices:\n  web:\n    image: nginx\n");
  d.write("compose.override.yaml", "services:\n  web:\n    image: nginx:alpine\n");
  d.write("other.yaml", "version: '2'\nservices:\n  db:\n    image: redis\n");
  Run r(d);
  r.load();
  CHECK(r.warnings == std::vector<std::string>{
                          d.str() + "/compose.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"});
  Run two(d);
  two.o.files = {"compose.yaml", "other.yaml"};
  two.load();
  CHECK(two.warnings ==
        std::vector<std::string>{
            d.str() + "/compose.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion",
            d.str() + "/other.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion"});
}
