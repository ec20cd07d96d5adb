// docker compose pkg/e2e/images_test.go: `images` by project name lists the project's
// containers with their images, and a container whose image record is gone (here `image rm
// -f` of its tag) is still listed rather than failing the command. docker compose's Images
// (pkg/compose/images.go) lists the containers by label, one row per container, stopped ones
// and one-offs too, so it needs no compose file.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

// Upstream's fixtures/images-removed, with a tag of busybox:test for its alpine tag.
const char* kImages = R"(services:
  app:
    image: compose-e2e-images-removed:v1
    command: ["sleep", "1000"]
)";

}  // namespace

TEST_CASE("TestImagesAfterImageRemoved: images by project name still lists a container whose image is gone") {
  Project p(kImages, "compose-e2e-images-removed");
  p.ok({"image", "tag", "busybox:test", "compose-e2e-images-removed:v1"});
  p.ok({"up", "-d"});

  Cli c = elsewhere(p);
  auto before = c.run({"--project-name", "compose-e2e-images-removed", "images"});
  INFO(before.out << before.err);
  REQUIRE(before.exit_code == 0);
  CHECK(matches(before.out, "^CONTAINER +REPOSITORY +TAG +PLATFORM +IMAGE ID +SIZE +CREATED\n"));
  CHECK(matches(before.out, "\ncompose-e2e-images-removed-app-1 +compose-e2e-images-removed +v1 +linux/[a-z0-9]+ +[0-9a-f]{12} +"));

  p.ok({"image", "rm", "-f", "compose-e2e-images-removed:v1"});
  auto after = c.run({"--project-name", "compose-e2e-images-removed", "images"});
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
  CHECK(after.out.find("compose-e2e-images-removed-app-1") != std::string::npos);
}

// Not asserted upstream, the same listing: a row per container (stopped ones and one-offs
// too), SERVICE… narrows it, -q prints each image id once, and a project without containers
// has no rows (json: docker compose's encoding of its empty list).
TEST_CASE("TestImagesAfterImageRemoved: images lists every container, narrowed by service, -q and json") {
  Project p("services:\n  one:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n"
            "  two:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n",
            "compose-e2e-images");
  auto none = p.run({"images", "--format", "json"});
  INFO(none.err);
  CHECK(none.exit_code == 0);
  CHECK(none.out == "null\n\n");

  p.ok({"up", "-d", "--scale", "one=2"});
  p.ok({"stop", "two"});
  p.ok({"run", "-d", "one", "sleep", "1000"});
  auto table = p.run({"images"});
  INFO(table.out << table.err);
  CHECK(table.exit_code == 0);
  for (const char* name : {"compose-e2e-images-one-1", "compose-e2e-images-one-2", "compose-e2e-images-two-1", "compose-e2e-images-one-run-"})
    CHECK(table.out.find(std::string("\n") + name) != std::string::npos);

  auto only_two = p.run({"images", "two", "--format", "json"});
  INFO(only_two.out << only_two.err);
  auto j = nlohmann::json::parse(only_two.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["ContainerName"] == "compose-e2e-images-two-1");
  CHECK(j[0]["Repository"] == "busybox");
  CHECK(j[0]["Tag"] == "test");
  CHECK(j[0]["ID"].get<std::string>().rfind("sha256:", 0) == 0);

  auto quiet = p.run({"images", "-q"});
  INFO(quiet.out);
  CHECK(quiet.out == j[0]["ID"].get<std::string>().substr(7) + "\n");
}
