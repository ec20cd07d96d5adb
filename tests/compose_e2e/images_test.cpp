// docker compose pkg/e2e/images_test.go: `images` by project name lists the project's
// containers, one row each, and does not fail on a container whose image record is gone
// (docker/compose#14014: `rmi -f` of a running container's image). Upstream pulls alpine and
// tags it; here busybox:test is tagged the same way.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace images_e2e {

const char* kImagesRemoved = R"(services:
  app:
    image: compose-e2e-images-removed:v1
    pull_policy: never
    init: true
    command: ["sleep", "1000"]
)";

}  // namespace images_e2e

TEST_CASE("TestImagesAfterImageRemoved: images by project name lists a container whose image was removed") {
  const std::string name = "compose-e2e-images-removed";
  Project p(images_e2e::kImagesRemoved, name);
  Cli bare = elsewhere(p);
  p.ok({"image", "tag", "busybox:test", "compose-e2e-images-removed:v1"});
  p.ok({"--project-name", name, "up", "-d"});

  // Before the removal: docker compose's columns (cmd/compose/images.go), one row per
  // container, named after the container.
  auto before = bare.run({"--project-name", name, "images"});
  INFO(combined(before));
  REQUIRE(before.exit_code == 0);
  CHECK(matches(before.out, "^CONTAINER\\s+REPOSITORY\\s+TAG\\s+PLATFORM\\s+IMAGE ID\\s+SIZE\\s+CREATED\n"));
  CHECK(matches(before.out, name + "-app-1\\s+compose-e2e-images-removed\\s+v1\\s+linux/\\w+\\s+[0-9a-f]{12}\\s"));

  // remove the image record while the container keeps running
  p.run({"image", "rm", "-f", "compose-e2e-images-removed:v1"});

  auto res = bare.run({"--project-name", name, "images"});
  INFO(combined(res));
  CHECK(res.exit_code == 0);
  CHECK(combined(res).find(name + "-app-1") != std::string::npos);
  // What the container itself knows stays: the reference it was created from.
  CHECK(matches(res.out, name + "-app-1\\s+compose-e2e-images-removed\\s+v1\\s"));
}

TEST_CASE("TestImagesAfterImageRemoved: images lists containers only, a service without one has no row") {
  const std::string name = "compose-e2e-images-none";
  Project p(images_e2e::kImagesRemoved, name);
  p.ok({"image", "tag", "busybox:test", "compose-e2e-images-removed:v1"});
  // No container yet: docker compose lists the project's containers, so only the header.
  auto res = p.run({"images"});
  INFO(combined(res));
  CHECK(res.exit_code == 0);
  CHECK(res.out.find("compose-e2e-images-removed") == std::string::npos);
  auto json = p.run({"images", "--format", "json"});
  INFO(combined(json));
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("compose-e2e-images-removed") == std::string::npos);
}
