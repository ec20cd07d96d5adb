#include <catch2/catch.hpp>

#include <random>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/yaml.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::dump;
using mycompose::compose::test::TempDir;

namespace {
Node parse(const std::string& s) { return parse_yaml(s, "/p/compose.yaml"); }
}  // namespace

TEST_CASE("yaml: every node carries file:line:col") {
  Node n = parse("services:\n  web:\n    image: nginx\n    ports:\n      - \"80:80\"\n");
  const Node* web = n.find("services")->find("web");
  REQUIRE(web);
  CHECK(web->find("image")->mark.str() == "/p/compose.yaml:3:12");
  CHECK(web->find("ports")->items[0].mark.str() == "/p/compose.yaml:5:9");
  CHECK(n.find("services")->entries[0].key_mark.str() == "/p/compose.yaml:2:3");
}

TEST_CASE("yaml: quoted scalars are marked, plain ones are not") {
  Node n = parse("a: 8080\nb: \"8080\"\nc: '8080'\nd: |\n  text\ne: ~\nf:\n");
  CHECK(dump(n) == "{a: 8080, b: \"8080\", c: \"8080\", d: \"text\n\", e: ~, f: ~}");
}

TEST_CASE("yaml: merge keys, single and list forms, explicit keys win") {
  Node n = parse(
      "x-base: &base {image: a, restart: always, env: {A: 1}}\n"
      "x-more: &more {restart: no, user: root, cpus: 1}\n"
      "one:\n  <<: *base\n  image: b\n"
      "list:\n  <<: [*more, *base]\n  cpus: 2\n"
      "shallow:\n  <<: *base\n  env: {B: 2}\n");
  CHECK(dump(*n.find("one")) == "{image: b, restart: always, env: {A: 1}}");
  // earlier maps in the list win over later ones
  CHECK(dump(*n.find("list")) == "{cpus: 2, restart: no, user: root, image: a, env: {A: 1}}");
  CHECK(dump(*n.find("shallow")) == "{env: {B: 2}, image: a, restart: always}");
  CHECK_THROWS_WITH(parse("a: &x [1]\nb:\n  <<: *x\n"), "/p/compose.yaml:3:3: merge key << takes a mapping or a list of mappings");
  // a quoted "<<" is an ordinary key
  CHECK(dump(parse("\"<<\": 1\n")) == "{<<: 1}");
}

TEST_CASE("yaml: !reset and !override tags are kept on the node") {
  Node n = parse("a: !reset []\nb: !override {x: 1}\n");
  CHECK(n.find("a")->tag == "!reset");
  CHECK(n.find("b")->tag == "!override");
}

TEST_CASE("yaml: duplicate keys and non-string keys are errors") {
  CHECK_THROWS_WITH(parse("services:\n  web: {}\n  web: {}\n"), "/p/compose.yaml:3:3: duplicate key \"web\"");
  CHECK_THROWS_WITH(parse("? [a]\n: b\n"), "/p/compose.yaml:1:3: mapping keys must be strings");
}

TEST_CASE("yaml: malformed YAML is an error with a position") {
  CHECK_THROWS_WITH(parse("services:\n  web:\n    image: [unclosed\n"), Catch::StartsWith("/p/compose.yaml:") && Catch::Contains("invalid YAML"));
  CHECK_THROWS_WITH(parse("a: b\n c: d\n  - x\n"), Catch::StartsWith("/p/compose.yaml:") && Catch::Contains("invalid YAML"));
  CHECK_THROWS_WITH(parse("a: *nope\n"), Catch::StartsWith("/p/compose.yaml:1:") && Catch::Contains("invalid YAML"));
}

TEST_CASE("yaml: billion laughs is refused, quickly") {
  std::string doc = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i)
    doc += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + [&] {
      std::string s;
      for (int k = 0; k < 10; ++k) s += (k ? ", *a" : "*a") + std::to_string(i - 1);
      return s;
    }() + "]\n";
  CHECK_THROWS_WITH(parse(doc), Catch::Contains("document expands to more than"));
}

TEST_CASE("yaml: deep nesting is refused before yaml-cpp recurses") {
  CHECK_THROWS_WITH(parse("a: " + std::string(200000, '[')), "/p/compose.yaml:1:" + std::to_string(3 + 256) + ": document is nested deeper than 256 levels");
  CHECK_THROWS_WITH(parse(std::string(100000, '{')), Catch::Contains("document is nested deeper than 256 levels"));
  std::string block;
  for (int i = 0; i < 5000; ++i) block += std::string(i, ' ') + "k:\n";
  CHECK_THROWS_WITH(parse(block), Catch::Contains("document is nested deeper than 256 levels"));
  std::string dashes;
  for (int i = 0; i < 5000; ++i) dashes += "- ";
  CHECK_THROWS_WITH(parse(dashes + "x\n"), Catch::Contains("document is nested deeper than 256 levels"));
}

TEST_CASE("yaml: the nesting guard does not count text") {
  // brackets in quoted and plain scalars, block scalar content indented deeply, comments
  std::string text = "a: \"" + std::string(1000, '[') + "\"\nb: x[[[[" + std::string(1000, '[') + "\nc: |\n";
  for (int i = 0; i < 400; ++i) text += std::string(2 + i, ' ') + "line\n";
  text += "d: '" + std::string(500, '{') + "'  # [[[[\n";
  text += "e: [[[1]], {x: [2]}]\n";
  Node n = parse(text);
  CHECK(n.find("e"));
  CHECK(n.find("b")->value.size() == 1005);
  // a normal 40-level nesting passes
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += std::string(2 * i, ' ') + "k" + std::to_string(i) + ":\n";
  CHECK_NOTHROW(parse(deep));
}

TEST_CASE("yaml: oversized input is refused") {
  YamlLimits small;
  small.max_bytes = 1000;
  CHECK_THROWS_WITH(parse_yaml(std::string(1001, 'a'), "/p/big.yaml", small), "/p/big.yaml: file is larger than 1000 bytes");
  TempDir d;
  std::string big = d.write("big.yaml", std::string(2000, '#'));
  CHECK_THROWS_WITH(parse_yaml_file(big, small), Catch::Contains("larger than") && Catch::Contains("big.yaml"));
}

TEST_CASE("yaml: binary garbage is an error, never a crash") {
  std::mt19937 rng(42);
  int errors = 0;
  for (int round = 0; round < 200; ++round) {
    std::string junk(1 + rng() % 400, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    try {
      parse(junk);
    } catch (const ComposeError&) {
      ++errors;
    }
  }
  CHECK(errors > 0);  // most random bytes are not YAML; the rest parsed to something harmless
  CHECK_THROWS_WITH(parse("a: \"\\\xff\"\n"), "/p/compose.yaml:1:7: invalid YAML: unknown escape character: \\xff");
}

TEST_CASE("yaml: an empty document is null") {
  CHECK(parse("").is_null());
  CHECK(parse("# only a comment\n").is_null());
}
