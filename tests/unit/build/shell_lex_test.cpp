// Variable substitution and quoting in Dockerfile arguments.
#include <catch2/catch.hpp>

#include <map>

#include "mycompose/build/shell_lex.hpp"
#include "mycompose/common/error.hpp"

using namespace mycompose::build;

namespace {

VarLookup vars(std::map<std::string, std::string> m) {
  return [m](std::string_view k) -> std::optional<std::string> {
    auto it = m.find(std::string(k));
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("shell lex: $VAR and ${VAR}, unset is empty") {
  auto v = vars({{"A", "one"}, {"EMPTY", ""}});
  CHECK(expand_word("$A-${A}x$B.", v) == "one-onex.");
  CHECK(expand_word("$", v) == "$");
  CHECK(expand_word("a$ b", v) == "a$ b");
}

TEST_CASE("shell lex: default and alternative modifiers") {
  auto v = vars({{"SET", "v"}, {"EMPTY", ""}});
  CHECK(expand_word("${UNSET:-dflt}", v) == "dflt");
  CHECK(expand_word("${EMPTY:-dflt}", v) == "dflt");
  CHECK(expand_word("${EMPTY-dflt}", v) == "");
  CHECK(expand_word("${SET:-dflt}", v) == "v");
  CHECK(expand_word("${SET:+alt}", v) == "alt");
  CHECK(expand_word("${EMPTY:+alt}", v) == "");
  CHECK(expand_word("${EMPTY+alt}", v) == "alt");
  CHECK(expand_word("${UNSET:+alt}", v) == "");
  CHECK(expand_word("${UNSET:-${SET}x}", v) == "vx");
  CHECK_THROWS_WITH(expand_word("${UNSET:?must be set}", v), "UNSET: must be set");
  CHECK_THROWS_WITH(expand_word("${SET:=x}", v), "unsupported modifier (:=) in substitution of SET");
  CHECK_THROWS_WITH(expand_word("${SET", v), "missing '}' in variable substitution of SET");
}

TEST_CASE("shell lex: quotes and escapes") {
  auto v = vars({{"A", "x y"}});
  CHECK(expand_word("'$A'", v) == "$A");
  CHECK(expand_word("\"$A\"", v) == "x y");
  CHECK(expand_word("\\$A", v) == "$A");
  CHECK(expand_word("\"a\\\"b\"", v) == "a\"b");
  CHECK(expand_word("\"c:\\dir\"", v) == "c:\\dir");
  CHECK(expand_word("`$A", v, '`') == "$A");
  CHECK_THROWS_WITH(expand_word("'open", v), "unexpected end of statement while looking for matching single-quote");
}

TEST_CASE("shell lex: words split on unquoted blanks only") {
  auto v = vars({{"DST", "/app dir"}});
  CHECK(expand_words("a \"b c\" 'd e'  f\\ g $DST", v) == std::vector<std::string>{"a", "b c", "d e", "f g", "/app dir"});
  CHECK(expand_words("", v).empty());
}
