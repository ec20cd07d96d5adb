// docker compose pkg/e2e/image_identity_test.go: a second `up` of an unchanged project
// recreates nothing (docker/compose#13998: the image digest recorded in the
// com.docker.compose.image label must be the same on both runs). Upstream needs the
// containerd image store and a multi-platform alpine pulled by the first up (a registry);
// here the image is local busybox:test and the label is checked to be the image's digest,
// as docker compose records it (pkg/compose: ImageDigestLabel set from the image summary's ID).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace image_identity_e2e {

// The value of label `key` in ps's comma-joined Labels, "" when absent.
std::string label_of(const json& container, const std::string& key) {
  const std::string labels = container.value("Labels", std::string());
  const std::string prefix = key + "=";
  for (std::size_t at = 0; at <= labels.size();) {
    std::size_t end = labels.find(',', at);
    if (end == std::string::npos) end = labels.size();
    if (labels.compare(at, prefix.size(), prefix) == 0) return labels.substr(at + prefix.size(), end - at - prefix.size());
    at = end + 1;
  }
  return "";
}

}  // namespace image_identity_e2e

TEST_CASE("TestUpIdempotentContainerdStore: a second up changes nothing and keeps the image digest label") {
  Project p("services:\n  app:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n", "e2e-image-identity");
  const std::string ctr = "e2e-image-identity-app-1";

  // the first up starts the service
  p.ok({"up", "-d"});
  CHECK(p.wait_state(ctr, "running") == "running");
  auto first = p.ps()[ctr];
  std::string digest = p.ok({"image", "inspect", "--format", "{{.Id}}", "busybox:test"});
  while (!digest.empty() && digest.back() == '\n') digest.pop_back();
  CHECK(digest.rfind("sha256:", 0) == 0);
  CHECK(image_identity_e2e::label_of(first, "com.docker.compose.image") == digest);

  // a second up changes nothing
  auto again = p.run({"up", "-d"});
  INFO(combined(again));
  CHECK(again.exit_code == 0);
  CHECK(combined(again).find("Recreate") == std::string::npos);
  auto second = p.ps()[ctr];
  CHECK(second["ID"] == first["ID"]);
  CHECK(image_identity_e2e::label_of(second, "com.docker.compose.image") == digest);

  // nor does an unchanged create (TestCreateIdempotentDefaultPlatform's invariant, native platform)
  auto create = p.run({"create"});
  INFO(combined(create));
  CHECK(create.exit_code == 0);
  CHECK(combined(create).find("Recreate") == std::string::npos);
  CHECK(p.ps()[ctr]["ID"] == first["ID"]);
}
