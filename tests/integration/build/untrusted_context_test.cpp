// FIFOs in a build context and in a base image: the builder opened the Dockerfile, the
// .dockerignore, an ADD source and the base image's /etc/passwd (COPY --chown) with a plain
// blocking open, so one FIFO made `build` wait forever for a writer. Each is now refused
// naming the file, through the real CLI (a hang guard ends the old code's runs).
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "build_helpers.hpp"
#include "support/run.hpp"

using namespace buildtest;

namespace {

mycompose::test::RunResult build_cli(const Sandbox& sb) {
  mycompose::test::RunOptions o;
  o.env = {{"MYCOMPOSE_ROOT", sb.root.string()}};
  o.cwd = sb.ctx.string();
  o.timeout_seconds = 60;
  return mycompose::test::run({mycompose::test::mycompose_bin(), "build"}, o);
}

void project(Sandbox& sb) { sb.write("compose.yaml", "name: ctx\nservices:\n  app:\n    build: .\n"); }

void fifo(const Sandbox& sb, const std::string& rel) { REQUIRE(::mkfifo((sb.ctx / rel).c_str(), 0644) == 0); }

}  // namespace

TEST_CASE("untrusted context: a Dockerfile that is a FIFO is refused naming it") {
  Sandbox sb;
  project(sb);
  fifo(sb, "Dockerfile");
  auto r = build_cli(sb);
  INFO(r.out << r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("Dockerfile " + (sb.ctx / "Dockerfile").string() + " is a FIFO, not a regular file") != std::string::npos);
}

TEST_CASE("untrusted context: a .dockerignore that is a FIFO is refused naming it") {
  Sandbox sb;
  sb.import_busybox();
  project(sb);
  sb.write("Dockerfile", "FROM busybox:test\nCOPY compose.yaml /\n");
  fifo(sb, ".dockerignore");
  auto r = build_cli(sb);
  INFO(r.out << r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find((sb.ctx / ".dockerignore").string() + " is a FIFO, not a regular file") != std::string::npos);
}

TEST_CASE("untrusted context: ADD and COPY of a FIFO are refused naming it") {
  Sandbox sb;
  sb.import_busybox();
  project(sb);
  fifo(sb, "pipe");
  for (const char* instruction : {"ADD", "COPY"}) {
    sb.write("Dockerfile", std::string("FROM busybox:test\n") + instruction + " pipe /pipe\n");
    auto r = build_cli(sb);
    INFO(instruction << ": " << r.out << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("pipe is a FIFO, not a regular file") != std::string::npos);
  }
}

TEST_CASE("untrusted context: COPY --chown in a base image whose /etc/passwd is a FIFO is refused naming it") {
  Sandbox sb;
  auto rootfs = sb.dir / "fifo-rootfs";
  stdfs::create_directories(rootfs / "etc");
  REQUIRE(::mkfifo((rootfs / "etc/passwd").c_str(), 0644) == 0);
  auto tar = sb.dir / "fifo-rootfs.tar";
  REQUIRE(mycompose::test::run({"tar", "-C", rootfs.string(), "-cf", tar.string(), "."}).exit_code == 0);
  mycompose::image::import_rootfs(sb.store, tar.string(), "fifo:base", {});
  project(sb);
  sb.write("file", "x\n");
  sb.write("Dockerfile", "FROM fifo:base\nCOPY --chown=app file /file\n");
  auto r = build_cli(sb);
  INFO(r.out << r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("/etc/passwd in the image (") != std::string::npos);
  CHECK(r.err.find(") is a FIFO, not a regular file") != std::string::npos);
}
