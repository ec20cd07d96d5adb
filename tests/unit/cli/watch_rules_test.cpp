// The path rules of `watch` (cli/watch/path_matcher.hpp, rule_matches): docker compose's
// ignore semantics (pkg/watch/dockerignore.go over moby's patternmatcher, its ephemeral
// editor files) and where a changed path lands in the container (watchRule.Matches).
#include <catch2/catch.hpp>

#include "watch/path_matcher.hpp"
#include "watch/session.hpp"

using namespace mycompose::cli::watch;

TEST_CASE("watch ignore patterns are rooted at the watched path and match parents") {
  PathMatcher m("/src/data", {"*.foo", "./ignored"});
  CHECK(m.matches("/src/data/x.foo"));
  CHECK_FALSE(m.matches("/src/data/sub/x.foo"));  // '*' stays in one folder, as upstream
  CHECK(m.matches("/src/data/ignored"));
  CHECK(m.matches("/src/data/ignored/deep/hello.txt"));  // a parent matches
  CHECK_FALSE(m.matches("/src/data/hello.txt"));
  CHECK_FALSE(m.matches("/other/x.foo"));
  CHECK(m.matches("x.foo"));  // relative: against the root
}

TEST_CASE("watch ignore patterns: '**' and re-includes with '!' where the last match decides") {
  PathMatcher m("/p", {"**/*.log", "!keep.log"});
  CHECK(m.matches("/p/a/b/c.log"));
  CHECK(m.matches("/p/c.log"));
  CHECK_FALSE(m.matches("/p/keep.log"));
  PathMatcher all("/p", {"*", "!src"});  // a bare "*" keeps only the re-includes (upstream)
  CHECK_FALSE(all.matches("/p/anything"));
  CHECK_FALSE(all.matches("/p/src/x"));
  CHECK_FALSE(PathMatcher().matches("/p/x"));
}

TEST_CASE("watch skips the temporary files of editors as docker compose does") {
  const PathMatcher& e = ephemeral_matcher();
  for (const char* p : {"/p/.main.go.swp", "/p/a/.x.swx", "/p/file~", "/p/4913", "/p/.#lock", "/p/x___jb_tmp___",
                        "/p/.idea/workspace.xml"})
    CHECK(e.matches(p));
  for (const char* p : {"/p/main.go", "/p/x.swp", "/p/4914"}) CHECK_FALSE(e.matches(p));
}

TEST_CASE("watch rules: a changed path maps below the target where include and ignore apply") {
  Rule r;
  r.service = "web";
  r.action = "sync";
  r.path = "/src";
  r.target = "/app";
  r.ignore.add(PathMatcher("/src", {"node_modules"}));
  PathMapping m;
  REQUIRE(rule_matches(r, "/src/a/b.txt", &m));
  CHECK(m.container == "/app/a/b.txt");
  CHECK(m.host == "/src/a/b.txt");
  REQUIRE(rule_matches(r, "/src", &m));
  CHECK(m.container == "/app");
  CHECK_FALSE(rule_matches(r, "/srcx/a", &m));
  CHECK_FALSE(rule_matches(r, "/src/node_modules/x.js", &m));
  r.include_all = false;
  r.include = PathMatcher("/src", {"A.*"});
  CHECK(rule_matches(r, "/src/A.test", &m));
  CHECK_FALSE(rule_matches(r, "/src/B.test", &m));
  CHECK(quoted_list({"a", "b"}) == "[\"a\" \"b\"]");
}
