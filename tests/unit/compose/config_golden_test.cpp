// Loader behaviours compose-go's golden `full-example.yml` checks and mycompose got wrong:
// label_file, build.ssh, COMPOSE_PROJECT_NAME during interpolation, explicit null command,
// --no-interpolate on typed fields, env files of services not selected, raw env files,
// container_name unicity, models. Our own small compose files.
#include <catch2/catch.hpp>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/loader.hpp"
#include "mycompose/compose/normalize.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::TempDir;

namespace {

Project load(const TempDir& d, std::vector<std::string> services = {}, bool interpolate = true,
             std::map<std::string, std::string> env = {}) {
  LoadOptions o;
  o.working_dir = d.str();
  o.services = std::move(services);
  o.interpolate = interpolate;
  o.environment = std::move(env);
  o.warn = [](const std::string&) {};
  return load_project(o);
}

std::string load_error(const TempDir& d, std::vector<std::string> services = {}) {
  try {
    load(d, std::move(services));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("label_file: labels from the files, later files win, explicit labels win") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  web:\n    image: busybox\n    label_file: [./a.labels, ./b.labels]\n"
          "    labels:\n      explicit: from-labels\n");
  d.write("a.labels", "one=a\ntwo=a\nexplicit=from-file\n");
  d.write("b.labels", "# comment\ntwo=b\n");
  auto web = load(d).model["services"]["web"];
  CHECK(web["labels"]["one"] == "a");
  CHECK(web["labels"]["two"] == "b");
  CHECK(web["labels"]["explicit"] == "from-labels");
  CHECK(web["label_file"] == nlohmann::ordered_json::array({d.str() + "/a.labels", d.str() + "/b.labels"}));
}

TEST_CASE("label_file: a missing file names the service and the file") {
  TempDir d;
  d.write("compose.yaml", "services:\n  web:\n    image: busybox\n    label_file: ./none.labels\n");
  std::string err = load_error(d);
  CHECK_THAT(err, Catch::Contains("services.web.label_file"));
  CHECK_THAT(err, Catch::Contains("none.labels"));
}

TEST_CASE("build.ssh: `- default` is the key `default` with no path") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  a:\n    build:\n      context: .\n      ssh: [default]\n"
          "  b:\n    build:\n      context: .\n      ssh:\n        - default\n        - key=/k/id\n"
          "  c:\n    build:\n      context: .\n      ssh:\n        other: /k/o\n        default:\n");
  auto s = load(d).model["services"];
  CHECK(s["a"]["build"]["ssh"] == nlohmann::ordered_json::array({"default"}));
  CHECK(s["b"]["build"]["ssh"] == nlohmann::ordered_json::array({"default", "key=/k/id"}));
  CHECK(s["c"]["build"]["ssh"] == nlohmann::ordered_json::array({"default", "other=/k/o"}));
}

TEST_CASE("interpolation sees COMPOSE_PROJECT_NAME: the project's name") {
  TempDir d;
  d.write("compose.yaml",
          "name: golden\nservices:\n  web:\n    image: ${COMPOSE_PROJECT_NAME}:1.0.0\n"
          "    build:\n      context: .\n      tags: [\"${COMPOSE_PROJECT_NAME}:1.0.0\"]\n");
  Project p = load(d);
  CHECK(p.model["services"]["web"]["image"] == "golden:1.0.0");
  CHECK(p.model["services"]["web"]["build"]["tags"][0] == "golden:1.0.0");
  CHECK(p.environment.at("COMPOSE_PROJECT_NAME") == "golden");
  // from the folder when the file has no name, and -p / the environment still win
  TempDir e;
  e.write("compose.yaml", "services:\n  web:\n    image: ${COMPOSE_PROJECT_NAME}-img\n");
  CHECK(load(e).model["services"]["web"]["image"] == load(e).name + "-img");
  CHECK(load(e, {}, true, {{"COMPOSE_PROJECT_NAME", "fromenv"}}).model["services"]["web"]["image"] == "fromenv-img");
}

TEST_CASE("explicit command: null and entrypoint: null survive as null") {
  TempDir d;
  d.write("compose.yaml", "services:\n  web:\n    image: busybox\n    command: null\n    entrypoint: null\n");
  auto web = load(d).model["services"]["web"];
  REQUIRE(web.contains("command"));
  REQUIRE(web.contains("entrypoint"));
  CHECK(web["command"].is_null());
  CHECK(web["entrypoint"].is_null());
}

TEST_CASE("config with --no-interpolate keeps values with variables its types cannot parse") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  web:\n    image: busybox:${TAG:-1}\n    ports:\n      - \"${PORT:-8080}:80\"\n"
          "    cpus: ${CPUS:-0.5}\n    deploy:\n      replicas: ${N:-2}\n");
  auto web = load(d, {}, false).model["services"]["web"];
  CHECK(web["image"] == "busybox:${TAG:-1}");
  CHECK(web["ports"] == nlohmann::ordered_json::array({"${PORT:-8080}:80"}));
  CHECK(web["cpus"] == "${CPUS:-0.5}");
  CHECK(web["deploy"]["replicas"] == "${N:-2}");
  // and interpolated, the same file gives the typed values
  auto typed = load(d).model["services"]["web"];
  CHECK(typed["ports"][0]["published"] == "8080");
  CHECK(typed["deploy"]["replicas"] == 2);
}

TEST_CASE("a missing env_file fails only the services a command works on") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  broken:\n    image: busybox\n    env_file: ./missing.env\n"
          "  other:\n    image: busybox\n  dependent:\n    image: busybox\n    depends_on: [broken]\n");
  CHECK_THAT(load_error(d), Catch::Contains("missing.env"));
  CHECK(load_error(d, {"other"}).empty());
  CHECK_THAT(load_error(d, {"dependent"}), Catch::Contains("services.broken.env_file"));
  // without environment resolution (config --services, down…) nothing is read
  LoadOptions o;
  o.working_dir = d.str();
  o.resolve_environment = false;
  o.warn = [](const std::string&) {};
  CHECK(load_project(o).model["services"].size() == 3);
}

TEST_CASE("env_file: required false and format raw") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  web:\n    image: busybox\n    env_file:\n      - path: ./absent.env\n        required: false\n"
          "      - path: ./raw.env\n        format: raw\n      - ./plain.env\n");
  d.write("raw.env", "TEST_VAR='{\"key\": \"value\"}'\nHASH=a #b ${NOT}\n");
  d.write("plain.env", "PLAIN='{\"key\": \"value\"}'\n");
  auto env = load(d).model["services"]["web"]["environment"];
  CHECK(env["TEST_VAR"] == "'{\"key\": \"value\"}'");
  CHECK(env["HASH"] == "a #b ${NOT}");
  CHECK(env["PLAIN"] == "{\"key\": \"value\"}");
}

TEST_CASE("container_name shared by two services is refused among the services created") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  test:\n    image: busybox\n    container_name: test\n"
          "  another_test:\n    image: busybox\n    container_name: test\n");
  Project p = load(d);  // loading (down, ps…) is fine
  CHECK_THROWS_WITH(check_creatable(p.model, {}), Catch::Contains("container name \"test\" is already in use"));
  CHECK_THROWS_WITH(check_container_names(p.model), Catch::Contains("is already in use by service"));
  CHECK_NOTHROW(check_creatable(p.model, {"test"}));
  CHECK_NOTHROW(check_creatable(p.model, {"another_test"}));
}

TEST_CASE("healthcheck start_interval without start_period is refused when creating, not when loading") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  error:\n    image: busybox\n    healthcheck:\n      test: true\n      start_interval: 1s\n"
          "  test:\n    image: busybox\n    healthcheck:\n      test: true\n      start_period: 5s\n      start_interval: 1s\n");
  Project p = load(d);
  CHECK_THROWS_WITH(check_creatable(p.model, {"error"}),
                    "healthcheck.start_interval requires healthcheck.start_period to be set");
  CHECK_NOTHROW(check_creatable(p.model, {"test"}));
}

TEST_CASE("models: top-level models and service models are accepted, unused ones dropped") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  app:\n    image: busybox\n    models: [llm]\n"
          "models:\n  llm:\n    model: ai/smollm2\n  unused:\n    model: ai/other\n");
  Project p = load(d);
  CHECK(p.model["models"].contains("llm"));
  CHECK_FALSE(p.model["models"].contains("unused"));
  CHECK(p.model["services"]["app"].contains("models"));
}

TEST_CASE("select_services keeps the named services, their dependencies and their resources") {
  TempDir d;
  d.write("compose.yaml",
          "services:\n  a:\n    image: busybox\n    depends_on: [b]\n    networks: [na]\n"
          "  b:\n    image: busybox\n  c:\n    image: busybox\n    networks: [nc]\n"
          "networks:\n  na: {}\n  nc: {}\n");
  auto m = load(d).model;
  select_services(m, {"a"}, false);
  CHECK(m["services"].size() == 2);
  CHECK(m["services"].contains("b"));
  CHECK(m["networks"].contains("na"));
  CHECK_FALSE(m["networks"].contains("nc"));
  CHECK_THROWS_WITH(select_services(m, {"nope"}, false), Catch::Contains("no such service: nope"));
}
