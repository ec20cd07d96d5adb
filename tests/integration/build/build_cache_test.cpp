// The layer cache: a second build is all CACHED, a changed file invalidates from its COPY on,
// --no-cache rebuilds everything.
#include <catch2/catch.hpp>

#include "build_helpers.hpp"

using namespace buildtest;

namespace {

const char* kDockerfile =
    "FROM busybox:test\n"
    "COPY a.txt /a.txt\n"
    "RUN cat /a.txt > /from-a\n"
    "COPY b.txt /b.txt\n"
    "RUN cat /b.txt > /from-b\n";

}  // namespace

TEST_CASE("build cache: a second build is all CACHED and gives the same image") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("a.txt", "A\n");
  sb.write("b.txt", "B\n");
  auto first = sb.build_text(kDockerfile);
  CHECK(first.count(BuildEvent::Kind::Cached) == 0);
  auto second = sb.build_text(kDockerfile);
  CHECK(second.count(BuildEvent::Kind::Cached) == 4);
  CHECK(second.output().empty());  // no RUN ran
  CHECK(second.id == first.id);
}

TEST_CASE("build cache: a changed file invalidates only from its COPY on") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("a.txt", "A\n");
  sb.write("b.txt", "B\n");
  sb.build_text(kDockerfile);
  sb.write("b.txt", "B2\n");
  auto r = sb.build_text(kDockerfile);
  CHECK(r.cached_steps() == std::vector<std::string>{"[2/5] COPY a.txt /a.txt", "[3/5] RUN cat /a.txt > /from-a"});
  CHECK(sb.image_file(r.id, "/from-b") == "B2\n");
  CHECK(sb.image_file(r.id, "/from-a") == "A\n");
}

TEST_CASE("build cache: a file's mtime alone does not invalidate, its mode does") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("a.txt", "A\n");
  sb.write("b.txt", "B\n");
  sb.build_text(kDockerfile);
  sb.write("a.txt", "A\n");  // rewritten: new mtime and inode, same content
  CHECK(sb.build_text(kDockerfile).count(BuildEvent::Kind::Cached) == 4);
  stdfs::permissions(sb.ctx / "b.txt", stdfs::perms::owner_exec, stdfs::perm_options::add);
  CHECK(sb.build_text(kDockerfile).count(BuildEvent::Kind::Cached) == 2);
}

TEST_CASE("build cache: --no-cache runs every step again, a changed build arg misses") {
  Sandbox sb;
  sb.import_busybox();
  const char* df = "FROM busybox:test\nARG V=1\nRUN echo v=$V\n";
  auto first = sb.build_text(df);
  BuildRequest q;
  q.no_cache = true;
  auto again = sb.build_text(df, q);
  CHECK(again.count(BuildEvent::Kind::Cached) == 0);
  CHECK(again.output() == "v=1\n");
  BuildRequest a;
  a.args["V"] = "2";
  auto changed = sb.build_text(df, a);
  CHECK(changed.count(BuildEvent::Kind::Cached) == 0);
  CHECK(changed.output() == "v=2\n");
  CHECK(sb.build_text(df, a).count(BuildEvent::Kind::Cached) == 1);
}
