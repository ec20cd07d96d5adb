// .dockerignore matching: **, !, last match wins, parents, comments.
#include <catch2/catch.hpp>

#include "mycompose/build/dockerignore.hpp"

using mycompose::build::DockerIgnore;
using mycompose::build::glob_match_path;

TEST_CASE("dockerignore: a pattern excludes the path and everything under it") {
  DockerIgnore d("node_modules\n/build\n");
  CHECK(d.excluded("node_modules"));
  CHECK(d.excluded("node_modules/x/y.js"));
  CHECK(d.excluded("build/out.o"));
  CHECK(!d.excluded("src/node_modules"));  // patterns are anchored at the context root
  CHECK(!d.excluded("builder"));
}

TEST_CASE("dockerignore: ** spans folders, * and ? stay within one") {
  DockerIgnore d("**/*.log\ndocs/*.md\ntmp?\n");
  CHECK(d.excluded("a.log"));
  CHECK(d.excluded("x/y/z/a.log"));
  CHECK(d.excluded("docs/readme.md"));
  CHECK(!d.excluded("docs/sub/readme.md"));
  CHECK(d.excluded("tmp1"));
  CHECK(!d.excluded("tmp12"));
}

TEST_CASE("dockerignore: ! re-includes and the last matching line wins") {
  DockerIgnore d("# logs\n*.log\n!keep.log\nkeep.log\n!important*.log\n");
  CHECK(d.has_exceptions());
  CHECK(d.excluded("a.log"));
  CHECK(d.excluded("keep.log"));  // excluded again by the later line
  CHECK(!d.excluded("important-1.log"));
  CHECK(!d.excluded("main.c"));
}

TEST_CASE("dockerignore: blank lines, comments, ./ and trailing spaces are ignored") {
  DockerIgnore d("\n  # comment\n./secret   \n\n");
  CHECK(d.excluded("secret"));
  CHECK(!d.excluded("# comment"));
  CHECK(!DockerIgnore("").excluded("anything"));
}

TEST_CASE("dockerignore: glob_match_path matches whole paths") {
  CHECK(glob_match_path("src/*.c", "src/a.c"));
  CHECK(!glob_match_path("src/*.c", "src/sub/a.c"));
  CHECK(glob_match_path("src/**/*.c", "src/sub/deep/a.c"));
  CHECK(glob_match_path("src/**", "src/a/b"));
  CHECK(glob_match_path("[ab].txt", "b.txt"));
  CHECK(!glob_match_path("[ab].txt", "c.txt"));
}
