#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/interpolation.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::dump;
using mycompose::compose::test::yaml;

namespace {

std::map<std::string, std::string> env{{"SET", "value"}, {"EMPTY", ""}, {"B", "bee"}};
Lookup lookup = [](const std::string& n) -> std::optional<std::string> {
  auto it = env.find(n);
  if (it == env.end()) return std::nullopt;
  return it->second;
};

std::string sub(const std::string& s) { return substitute(s, lookup); }

}  // namespace

TEST_CASE("interpolation: plain and braced variables, $$ escape") {
  CHECK(sub("a-$SET-b") == "a-value-b");
  CHECK(sub("${SET}x") == "valuex");
  CHECK(sub("$$SET costs $$5") == "$SET costs $5");
  CHECK(sub("no variables") == "no variables");
  CHECK(sub("$SET.$B") == "value.bee");
}

TEST_CASE("interpolation: default operators distinguish unset from empty") {
  CHECK(sub("${UNSET:-d}") == "d");
  CHECK(sub("${EMPTY:-d}") == "d");
  CHECK(sub("${SET:-d}") == "value");
  CHECK(sub("${UNSET-d}") == "d");
  CHECK(sub("${EMPTY-d}") == "");
  CHECK(sub("${UNSET:-}") == "");
}

TEST_CASE("interpolation: alternate operators") {
  CHECK(sub("${SET:+alt}") == "alt");
  CHECK(sub("${EMPTY:+alt}") == "");
  CHECK(sub("${EMPTY+alt}") == "alt");
  CHECK(sub("${UNSET+alt}") == "");
}

TEST_CASE("interpolation: nested defaults are expanded only when used") {
  CHECK(sub("${UNSET:-${ALSO_UNSET:-x}}") == "x");
  CHECK(sub("${UNSET:-${B}-tail}") == "bee-tail");
  CHECK(sub("${SET:-${NOPE:?never evaluated}}") == "value");
  CHECK(sub("${UNSET:-a}${UNSET:-b}") == "ab");
  CHECK(sub("${UNSET:-{}}") == "{}");
}

TEST_CASE("interpolation: required variables give docker compose's message") {
  CHECK(sub("${SET:?boom}") == "value");
  CHECK(sub("${EMPTY?boom}") == "");
  CHECK_THROWS_WITH(sub("${EMPTY:?please set it}"), "required variable EMPTY is missing a value: please set it");
  CHECK_THROWS_WITH(sub("${UNSET?}"), "required variable UNSET is missing a value");
  CHECK_THROWS_WITH(sub("${UNSET:?need $B}"), "required variable UNSET is missing a value: need bee");
}

TEST_CASE("interpolation: invalid templates are errors") {
  CHECK_THROWS_WITH(sub("${"), "Invalid template: \"${\"");
  CHECK_THROWS_WITH(sub("x ${SET"), "Invalid template: \"x ${SET\"");
  CHECK_THROWS_WITH(sub("${A B}"), "Invalid template: \"${A B}\"");
  CHECK_THROWS_WITH(sub("${}"), "Invalid template: \"${}\"");
}

TEST_CASE("interpolation: a $ before anything but $, a name or { stays as written, as compose-go's pattern") {
  CHECK(sub("5$") == "5$");
  CHECK(sub("$1 and $ and $-") == "$1 and $ and $-");
  CHECK(sub("echo $(date +%s) $SET") == "echo $(date +%s) value");
  CHECK(sub("$$(keep)") == "$(keep)");
}

TEST_CASE("interpolation: unset variable reports and becomes empty") {
  std::vector<std::string> unset;
  CHECK(substitute("[$NOPE][${NOPE2}]", lookup, [&](const std::string& n) { unset.push_back(n); }) == "[][]");
  CHECK(unset == std::vector<std::string>{"NOPE", "NOPE2"});
}

TEST_CASE("interpolation: tree values are interpolated, keys are not, warnings once") {
  Node t = yaml(
      "services:\n"
      "  $SET:\n"
      "    image: img:${SET}\n"
      "    command: [echo, $MISSING, $MISSING]\n"
      "    environment:\n"
      "      K: ${UNSET:-dflt}\n");
  std::vector<std::string> warnings;
  InterpolationResult r = interpolate(t, lookup, [&](const std::string& w) { warnings.push_back(w); });
  CHECK(dump(r.tree) == "{services: {$SET: {image: img:value, command: [echo, , ], environment: {K: dflt}}}}");
  CHECK(warnings == std::vector<std::string>{"The \"MISSING\" variable is not set. Defaulting to a blank string."});
  REQUIRE(r.variables.count("UNSET") == 1);
  CHECK(r.variables.at("UNSET").default_value == "dflt");
  CHECK(r.variables.count("SET") == 1);
  CHECK(r.variables.count("MISSING") == 1);
}

TEST_CASE("interpolation: errors carry file:line:col and the path") {
  Node t = yaml("services:\n  web:\n    image: ${TAG:?set TAG}\n", "/p/compose.yaml");
  CHECK_THROWS_WITH(interpolate(t, lookup, {}),
                    "/p/compose.yaml:3:12: error while interpolating services.web.image: required variable TAG "
                    "is missing a value: set TAG");
  Node bad = yaml("services:\n  web:\n    command: [a, \"${oops\"]\n", "/p/compose.yaml");
  CHECK_THROWS_WITH(interpolate(bad, lookup, {}),
                    "/p/compose.yaml:3:18: invalid interpolation format for services.web.command[1]: \"${oops\"; "
                    "you may need to escape any $ with another $");
}

TEST_CASE("interpolation: collect_variables sees every branch") {
  std::map<std::string, VariableUse> v;
  collect_variables("${A:-${B:?msg}} $C ${D:+alt}", v);
  CHECK(v.size() == 4);
  CHECK(v.at("B").required);
  CHECK(v.at("A").default_value == "${B:?msg}");
  CHECK(v.at("D").alternate_value == "alt");
  CHECK_FALSE(v.at("C").required);
}
