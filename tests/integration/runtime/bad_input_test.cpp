// Bad bundles: a clear error naming the field, and nothing left behind.
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

void expect_clean_failure(const Sandbox& sb, const Bundle& b, const std::string& err, int status = 1) {
  for (const char* verb : {"create", "run"}) {
    Result r = sb.rt({verb, "--bundle", b.dir.string(), "c1"});
    CHECK(r.status == status);
    CHECK(r.err == err);
    CHECK(sb.leftovers("c1", b.rootfs()).empty());
    CHECK(sb.rt({"list", "-q"}).out.empty());
  }
}

}  // namespace

TEST_CASE("runtime: malformed config.json") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  mycompose::fs::write_file_atomic(b.dir / "config.json", "{\"process\": ");
  Result r = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(r.status == 1);
  CHECK(r.err.rfind("error: " + (b.dir / "config.json").string() + ": invalid JSON: ", 0) == 0);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());

  b.config["process"].erase("args");
  b.write();
  expect_clean_failure(sb, b, "error: config.json: process.args must be a non-empty array of strings\n");
  b.config["process"]["args"] = {"true"};
  b.config["mounts"][0].erase("destination");
  b.write();
  expect_clean_failure(sb, b, "error: config.json: mounts[0].destination is required\n");
}

TEST_CASE("runtime: missing rootfs") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["root"]["path"] = "nope";
  b.write();
  expect_clean_failure(sb, b, "error: config.json: root.path: rootfs " + (b.dir / "nope").string() + ": No such file or directory\n");
}

TEST_CASE("runtime: invalid uid") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["process"]["user"]["uid"] = -1;
  b.write();
  expect_clean_failure(sb, b, "error: config.json: process.user.uid must be an integer between 0 and 4294967294 (got -1)\n");
}

TEST_CASE("runtime: unknown capability") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["process"]["capabilities"]["bounding"].push_back("CAP_FLY");
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.status == 1);
  CHECK(r.err.rfind("error: config.json: process.capabilities.bounding: ", 0) == 0);
  CHECK(r.err.find("CAP_FLY") != std::string::npos);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime: a binary not in the image is Docker's error, exit 127, and nothing is left") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"foo"});
  expect_clean_failure(sb, b, "error: exec: \"foo\": executable file not found in $PATH\n", 127);
}

TEST_CASE("runtime: a duplicate id is refused and the first container stays") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  REQUIRE(sb.rt({"create", "--bundle", b.dir.string(), "c1"}).status == 0);
  Result r = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(r.err == "error: container \"c1\" already exists\n");
  CHECK(sb.state("c1")["status"] == "created");
}
