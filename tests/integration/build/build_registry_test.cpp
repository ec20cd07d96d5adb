// Builds and a real registry (Debian's docker-registry on 127.0.0.1): `build --push`, and a
// FROM image that is not in the store is pulled.
#include <catch2/catch.hpp>

#include "integration/image/registry_fixture.hpp"
#include "mycompose/build/builder.hpp"

using namespace registry_test;

TEST_CASE("build registry: build --push pushes the image, and FROM pulls a missing base image") {
  Registry reg;
  Machine a, b;
  std::string base = reg.host() + "/test/base:1";
  make_busybox_image(a, base);
  REQUIRE(a.mycompose({"image", "push", base}).rc == 0);

  TempDir project("build-registry-project");
  std::string app = reg.host() + "/test/app:1";
  mycompose::fs::write_file_atomic(project.path / "compose.yaml", "services:\n  app:\n    image: " + app + "\n    build: .\n");
  mycompose::fs::write_file_atomic(project.path / "Dockerfile", "FROM " + base + "\nRUN echo built > /built\n");
  // b has no base image: FROM pulls it, then --push sends the result.
  auto r = b.mycompose({"-f", (project.path / "compose.yaml").string(), "build", "--push"});
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.err.find(" app Pushing " + app) != std::string::npos);
  auto built = b.store().resolve(mycompose::image::Reference::parse(app).str());
  REQUIRE(built);

  // a pulls the pushed image: same id, the RUN layer's file is there.
  Machine c;
  auto pull = c.mycompose({"image", "pull", app});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  auto store = c.store();
  auto pulled = store.resolve(mycompose::image::Reference::parse(app).str());
  REQUIRE(pulled);
  auto dirs = store.layer_dirs(*pulled);
  CHECK(mycompose::fs::read_file(dirs.back() / "built") == "built\n");
}
