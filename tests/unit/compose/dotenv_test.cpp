#include <catch2/catch.hpp>

#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/error.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::TempDir;

namespace {

Lookup shell_with(std::map<std::string, std::string> m) {
  return [m](const std::string& n) -> std::optional<std::string> {
    auto it = m.find(n);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

EnvPairs parse(const std::string& text, std::map<std::string, std::string> shell = {}) {
  return parse_dotenv(text, "/p/.env", shell_with(std::move(shell)));
}

std::string get(const EnvPairs& p, const std::string& k) {
  for (auto& [key, v] : p)
    if (key == k) return v;
  return "<unset>";
}

}  // namespace

TEST_CASE("dotenv: comments, blank lines, export, colon syntax") {
  auto p = parse("# comment\n\nA=1\n  export B=two\nC: three\nexported=4\n");
  REQUIRE(p.size() == 4);
  CHECK(p[0] == std::pair<std::string, std::string>{"A", "1"});
  CHECK(get(p, "B") == "two");
  CHECK(get(p, "C") == "three");
  CHECK(get(p, "exported") == "4");
}

TEST_CASE("dotenv: unquoted values trim and drop inline comments after a blank") {
  auto p = parse("A=hello world   # a comment\nB=a#b\nC=\nD=  spaced  \n");
  CHECK(get(p, "A") == "hello world");
  CHECK(get(p, "B") == "a#b");
  CHECK(get(p, "C") == "");
  CHECK(get(p, "D") == "spaced");
}

TEST_CASE("dotenv: single quotes are literal") {
  auto p = parse("A='$HOME \\n # not a comment'\n", {{"HOME", "/root"}});
  CHECK(get(p, "A") == "$HOME \\n # not a comment");
}

TEST_CASE("dotenv: double quotes take escapes, expand variables, span lines") {
  auto p = parse("A=\"line1\\nline2\\t\\\"q\\\" \\\\ \\$LIT $X\" # comment\nB=\"multi\nline\"\n", {{"X", "ex"}});
  CHECK(get(p, "A") == "line1\nline2\t\"q\" \\ $LIT ex");
  CHECK(get(p, "B") == "multi\nline");
}

TEST_CASE("dotenv: expansion sees the shell first, then earlier keys") {
  auto p = parse("A=file\nB=${A}-x\nC=${UNSET:-dflt}\nD=$SHELLVAR\n", {{"SHELLVAR", "s"}});
  CHECK(get(p, "B") == "file-x");
  CHECK(get(p, "C") == "dflt");
  CHECK(get(p, "D") == "s");
  auto q = parse("A=file\nB=${A}\n", {{"A", "shell"}});
  CHECK(get(q, "B") == "shell");
  CHECK(get(q, "A") == "file");  // the file's own value: making the shell win is the loader's job
}

TEST_CASE("dotenv: a key without value is inherited, or dropped when unset") {
  auto p = parse("FROM_SHELL\nNOT_SET\nAFTER=1\n", {{"FROM_SHELL", "yes"}});
  CHECK(p.size() == 2);
  CHECK(get(p, "FROM_SHELL") == "yes");
  CHECK(get(p, "NOT_SET") == "<unset>");
}

TEST_CASE("dotenv: a later definition of a key replaces the earlier one") {
  auto p = parse("A=1\nA=2\n");
  REQUIRE(p.size() == 1);
  CHECK(get(p, "A") == "2");
}

TEST_CASE("dotenv: errors carry file:line:col") {
  CHECK_THROWS_WITH(parse("A=1\nB=\"open\n"), "/p/.env:2:3: unterminated quoted value for B");
  CHECK_THROWS_WITH(parse("A=1\nMY KEY=1\n"), "/p/.env:2:4: unexpected character 'K' in variable name \"MY\" (a key cannot contain a space)");
  CHECK_THROWS_WITH(parse("=1\n"), "/p/.env:1:1: unexpected character '=' where a variable name was expected");
  CHECK_THROWS_WITH(parse("A='x' y\n"), "/p/.env:1:7: unexpected text after the closing quote of A");
  CHECK_THROWS_WITH(parse("A=${X:?need X}\n"), "/p/.env:1:3: in the value of A: required variable X is missing a value: need X");
}

TEST_CASE("dotenv: several env files, the later overrides, the shell wins over all") {
  TempDir d;
  std::string a = d.write("a.env", "A=1\nB=1\n");
  std::string b = d.write("b.env", "B=2\nC=${B}${A}\n");
  Environment env = add_env_files({{"A", "shell"}}, {a, b});
  CHECK(env.at("A") == "shell");
  CHECK(env.at("B") == "2");
  CHECK(env.at("C") == "2shell");
  CHECK_THROWS_WITH(add_env_files({}, {d.str() + "/missing.env"}),
                    Catch::Contains("env file " + d.str() + "/missing.env not found or unreadable"));
}

TEST_CASE("dotenv: which env files are read") {
  TempDir d;
  CHECK(env_files_to_read({}, d.str(), "/", {}).empty());
  d.write(".env", "A=1\n");
  CHECK(env_files_to_read({}, d.str(), "/", {}) == std::vector<std::string>{d.str() + "/.env"});
  CHECK(env_files_to_read({}, d.str(), "/", {{"COMPOSE_DISABLE_ENV_FILE", "true"}}).empty());
  CHECK(env_files_to_read({}, d.str(), "/", {{"COMPOSE_DISABLE_ENV_FILE", "0"}}).size() == 1);
  CHECK(env_files_to_read({"x.env", "/abs.env"}, d.str(), "/cwd", {}) == std::vector<std::string>{"/cwd/x.env", "/abs.env"});
}
