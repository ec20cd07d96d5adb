// docker compose pkg/e2e/image_identity_corner_test.go: `--dry-run up` with an image that is
// not in the store succeeds on the faked pull (docker compose's dry-run client pulls
// nothing and changes nothing) and never reports "No such image". Beyond upstream's
// assertion, the dry run is checked to leave no container or network behind.
// Left out: TestCreateIdempotentDefaultPlatform and TestCreateIdempotentSharedImageMixedPlatforms
// (a non-native platform's image pulled from a registry, the containerd image store) and
// TestPullRefreshWindowExplicitPull (pull_policy daily against a registry); the native-platform
// invariant of the first is checked in image_identity_test.cpp.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

TEST_CASE("TestUpDryRunMissingImage: dry-run up with a missing image succeeds and creates nothing") {
  Project p("services:\n  app:\n    image: alpine:3.20\n    command: [\"sleep\", \"infinity\"]\n", "e2e-dry-run-missing");
  // make sure the image is not in the local store
  p.run({"image", "rm", "-f", "alpine:3.20"});

  auto res = p.run({"--dry-run", "up", "-d"});
  INFO(combined(res));
  CHECK(res.exit_code == 0);
  CHECK(combined(res).find("No such image") == std::string::npos);
  CHECK(p.store().list().empty());
  CHECK(p.run({"image", "inspect", "alpine:3.20"}).exit_code != 0);
  CHECK(p.ok({"network", "ls"}).find("e2e-dry-run-missing_default") == std::string::npos);
}

TEST_CASE("TestUpDryRunMissingImage: dry-run up of a project whose image is local creates nothing") {
  Project p("services:\n  app:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n", "e2e-dry-run-local");
  auto res = p.run({"--dry-run", "up", "-d"});
  INFO(combined(res));
  CHECK(res.exit_code == 0);
  CHECK(p.store().list().empty());
  CHECK(p.ok({"network", "ls"}).find("e2e-dry-run-local_default") == std::string::npos);
  CHECK(p.ok({"ps", "-a", "--format", "{{.Name}}"}).empty());
}
