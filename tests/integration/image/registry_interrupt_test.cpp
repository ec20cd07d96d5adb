// A pull killed half-way leaves no image, and the next pull completes and cleans up.
#include <catch2/catch.hpp>

#include "integration/image/registry_fixture.hpp"

using namespace registry_test;
using mycompose::image::Reference;

TEST_CASE("registry: a pull killed mid-layer leaves no image, the retry succeeds and leaves nothing half-made") {
  Registry reg;
  Machine a, b;
  std::string ref = reg.host() + "/killed/busybox:latest";
  std::string id = make_busybox_image(a, ref);
  REQUIRE(a.mycompose({"image", "push", ref}).rc == 0);

  // SIGKILL once 100 kB of the ~1 MB layer have arrived (the client's test hook).
  auto killed = b.mycompose({"image", "pull", ref}, {{"MYCOMPOSE_TEST_PULL_KILL_AFTER_BYTES", "100000"}});
  REQUIRE(killed.rc == 128 + SIGKILL);
  CHECK(b.store().list().empty());
  CHECK_FALSE(b.store().resolve(Reference::parse(ref).str()).has_value());
  CHECK_FALSE(leftovers(b.root()).empty());  // the half blob the kill left behind

  auto retry = b.mycompose({"image", "pull", ref});
  INFO(retry.out << retry.err);
  REQUIRE(retry.rc == 0);
  CHECK(b.store().resolve(Reference::parse(ref).str()) == id);
  CHECK(leftovers(b.root()).empty());
}
