#include <catch2/catch.hpp>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/include.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::dump;
using mycompose::compose::test::yaml;

TEST_CASE("include: string, list and long forms") {
  auto a = parse_include(yaml("include: sub/a.yaml").entries[0].value, "/p");
  REQUIRE(a.size() == 1);
  CHECK(a[0].paths == std::vector<std::string>{"/p/sub/a.yaml"});
  CHECK(a[0].project_directory == "/p/sub");
  CHECK_FALSE(a[0].env_files_given);

  auto b = parse_include(yaml("include:\n  - a.yaml\n  - path: [x/b.yaml, /abs/c.yaml]\n    project_directory: ..\n"
                              "    env_file: [one.env, two.env]\n")
                             .entries[0]
                             .value,
                         "/p/q");
  REQUIRE(b.size() == 2);
  CHECK(b[1].paths == std::vector<std::string>{"/p/q/x/b.yaml", "/abs/c.yaml"});
  CHECK(b[1].project_directory == "/p");
  CHECK(b[1].env_files == std::vector<std::string>{"/p/q/one.env", "/p/q/two.env"});
}

TEST_CASE("include: malformed entries") {
  CHECK_THROWS_WITH(parse_include(yaml("include:\n  - {project_directory: x}\n", "/p/c.yaml").entries[0].value, "/p"),
                    "/p/c.yaml:2:5: include: path is required");
  CHECK_THROWS_WITH(parse_include(yaml("include:\n  - {path: a, bogus: 1}\n", "/p/c.yaml").entries[0].value, "/p"),
                    "/p/c.yaml:2:15: include: unknown key \"bogus\" (expected path, project_directory or env_file)");
}

TEST_CASE("include: resources are added, the same definition twice is fine, a different one is an error") {
  Node doc = yaml("services:\n  web: {image: w}\n  db: {image: pg}\n", "/p/compose.yaml");
  Node inc = yaml("services: {db: {image: pg}, cache: {image: redis}}\nvolumes: {data: {}}\n", "/p/sub/inc.yaml");
  IncludeEntry from;
  from.paths = {"/p/sub/inc.yaml"};
  CHECK(dump(merge_included(doc, inc, from)) ==
        "{services: {web: {image: w}, db: {image: pg}, cache: {image: redis}}, volumes: {data: {}}}");
  Node clash = yaml("services: {web: {image: other}}\n", "/p/sub/inc.yaml");
  CHECK_THROWS_WITH(merge_included(doc, clash, from),
                    "/p/compose.yaml:2:8: services.web conflicts with the service \"web\" imported from /p/sub/inc.yaml");
}

TEST_CASE("include: cycle detection names the chain") {
  CHECK(include_cycle({"/a.yaml", "/b.yaml"}, "/c.yaml").empty());
  CHECK(include_cycle({"/a.yaml", "/b.yaml"}, "/a.yaml") == "/a.yaml -> /b.yaml -> /a.yaml");
}
