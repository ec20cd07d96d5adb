#include <catch2/catch.hpp>

#include <map>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/extends.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::dump;
using mycompose::compose::test::yaml;

namespace {

std::map<std::string, std::string> files;
DocumentLoader loader = [](const std::string& p) {
  auto it = files.find(p);
  if (it == files.end()) throw ComposeError("open " + p + ": No such file or directory");
  return yaml(it->second, p);
};

std::string service(const Node& doc, const std::string& name) { return dump(*doc.find("services")->find(name)); }

}  // namespace

TEST_CASE("extends: same file, recursive, with the merge rules") {
  Node doc = yaml(
      "services:\n"
      "  base: {image: a, environment: {A: 1}, command: [x]}\n"
      "  mid: {extends: base, environment: {B: 2}}\n"
      "  web: {extends: {service: mid}, command: [y], ports: ['80:80']}\n",
      "/p/compose.yaml");
  Node r = resolve_extends(doc, "/p/compose.yaml", loader);
  CHECK(service(r, "mid") == "{image: a, environment: {A: 1, B: 2}, command: [x]}");
  CHECK(service(r, "web") == "{image: a, environment: {A: 1, B: 2}, command: [y], ports: [\"80:80\"]}");
  CHECK(service(r, "base") == "{image: a, environment: {A: 1}, command: [x]}");
}

TEST_CASE("extends: another file, its relative paths resolved against its folder") {
  files["/p/common/base.yaml"] =
      "services:\n"
      "  app:\n"
      "    build: ./ctx\n"
      "    env_file: [app.env, {path: /abs.env}]\n"
      "    volumes: [./data:/data, named:/n, {type: bind, source: ../src, target: /src}]\n"
      "  root: {extends: {file: ../more/root.yaml, service: r}}\n";
  files["/p/more/root.yaml"] = "services:\n  r: {image: r, env_file: r.env}\n";
  Node doc = yaml(
      "services:\n"
      "  web: {extends: {file: common/base.yaml, service: app}, image: w}\n"
      "  r2: {extends: {file: common/base.yaml, service: root}}\n",
      "/p/compose.yaml");
  Node r = resolve_extends(doc, "/p/compose.yaml", loader);
  CHECK(service(r, "web") ==
        "{build: /p/common/ctx, env_file: [/p/common/app.env, {path: /abs.env}], volumes: [/p/common/data:/data, "
        "named:/n, {type: bind, source: /p/src, target: /src}], image: w}");
  CHECK(service(r, "r2") == "{image: r, env_file: /p/more/r.env}");
}

TEST_CASE("extends: cycles are named") {
  Node doc = yaml("services:\n  a: {extends: b}\n  b: {extends: c}\n  c: {extends: a}\n", "/p/compose.yaml");
  CHECK_THROWS_WITH(resolve_extends(doc, "/p/compose.yaml", loader),
                    "/p/compose.yaml:4:16: circular reference in extends: a (/p/compose.yaml) -> b (/p/compose.yaml) "
                    "-> c (/p/compose.yaml) -> a (/p/compose.yaml)");
  Node self = yaml("services:\n  a: {extends: a}\n", "/p/compose.yaml");
  CHECK_THROWS_WITH(resolve_extends(self, "/p/compose.yaml", loader), Catch::Contains("circular reference in extends: a (/p/compose.yaml) -> a"));
}

TEST_CASE("extends: missing service or file") {
  Node doc = yaml("services:\n  a: {extends: nope}\n", "/p/compose.yaml");
  CHECK_THROWS_WITH(resolve_extends(doc, "/p/compose.yaml", loader),
                    "/p/compose.yaml:2:16: cannot extend service \"nope\": no such service in /p/compose.yaml");
  Node doc2 = yaml("services:\n  a: {extends: {file: gone.yaml, service: x}}\n", "/p/compose.yaml");
  CHECK_THROWS_WITH(resolve_extends(doc2, "/p/compose.yaml", loader), Catch::Contains("/p/gone.yaml"));
}
