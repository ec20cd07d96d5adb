// What COPY may read (.dockerignore) and where it may write (inside the rootfs only).
#include <catch2/catch.hpp>

#include "build_helpers.hpp"

using namespace buildtest;

TEST_CASE("build context: .dockerignore excludes files, ! re-includes, and ignored changes keep the cache") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("app/main.txt", "main\n");
  sb.write("app/debug.log", "log\n");
  sb.write("app/keep.log", "keep\n");
  sb.write("secret/key", "k\n");
  sb.write(".dockerignore", "# comment\n**/*.log\n!app/keep.log\nsecret\n");
  const char* df = "FROM busybox:test\nCOPY . /ctx/\n";
  auto r = sb.build_text(df);
  CHECK(sb.image_file(r.id, "/ctx/app/main.txt") == "main\n");
  CHECK(sb.image_file(r.id, "/ctx/app/keep.log") == "keep\n");
  CHECK(!sb.image_file(r.id, "/ctx/app/debug.log"));
  CHECK(!sb.image_file(r.id, "/ctx/secret"));
  sb.write("app/debug.log", "changed log\n");
  sb.write("secret/key", "changed\n");
  CHECK(sb.build_text(df).count(BuildEvent::Kind::Cached) == 1);
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nCOPY secret/key /k\n"),
                      "Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: secret/key");
}

TEST_CASE("build context: <Dockerfile>.dockerignore wins over the context's .dockerignore") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("a.txt", "a\n");
  sb.write("b.txt", "b\n");
  sb.write(".dockerignore", "a.txt\n");
  sb.write("app.Dockerfile", "FROM busybox:test\nCOPY . /ctx/\n");
  sb.write("app.Dockerfile.dockerignore", "b.txt\n");
  BuildRequest q;
  q.dockerfile = "app.Dockerfile";
  auto r = sb.build(q);
  CHECK(sb.image_file(r.id, "/ctx/a.txt") == "a\n");
  CHECK(!sb.image_file(r.id, "/ctx/b.txt"));
}

TEST_CASE("build context: a symlink to / in the base image does not let COPY write outside the rootfs") {
  Sandbox sb;
  // /target → / in the image, /up → ../../../../.. copied in from the context: both would
  // lead a naive copy to the host's root.
  sb.import_busybox("evil:test", {{"target", "/"}});
  sb.write("marker.txt", "inside\n");
  stdfs::create_directories(sb.ctx / "links");
  stdfs::create_symlink("../../../../../../../..", sb.ctx / "links" / "up");
  auto host_path = sb.dir / "escaped.txt";
  std::string df = "FROM evil:test\n"
                   "COPY links/ /\n"
                   "COPY marker.txt /target" + host_path.string() + "\n"
                   "COPY marker.txt /up" + (sb.dir / "escaped-up.txt").string() + "\n";
  auto r = sb.build_text(df);
  CHECK(!stdfs::exists(host_path));
  CHECK(!stdfs::exists(sb.dir / "escaped-up.txt"));
  // The files landed inside the image, at the path the symlink means within it.
  CHECK(sb.image_file(r.id, host_path.string()) == "inside\n");
  CHECK(sb.image_file(r.id, (sb.dir / "escaped-up.txt").string()) == "inside\n");
}

TEST_CASE("build context: COPY --chown and --chmod, ADD extracts a local tar") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("f.txt", "f\n");
  stdfs::create_directories(sb.dir / "tarsrc" / "pkg");
  mycompose::fs::write_file_atomic(sb.dir / "tarsrc" / "pkg" / "inner.txt", "inner\n");
  std::string cmd = "tar -C " + (sb.dir / "tarsrc").string() + " -czf " + (sb.ctx / "pkg.tar.gz").string() + " pkg";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto r = sb.build_text(
      "FROM busybox:test\n"
      "COPY --chown=app:app --chmod=640 f.txt /data/f.txt\n"
      "ADD pkg.tar.gz /opt/\n"
      "RUN stat -c '%u:%g %a' /data/f.txt && cat /opt/pkg/inner.txt\n");
  CHECK(r.output() == "1000:1000 640\ninner\n");
}
