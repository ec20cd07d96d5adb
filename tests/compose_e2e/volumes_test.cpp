// docker compose's pkg/e2e/volumes_test.go, ported for TestImageVolume: a `type: image` volume
// mounts another image's filesystem (here a folder of it, image.subpath) read-only. The other
// cases of the upstream file (bind mounts served by nginx, anonymous volume renewal, switched
// external volumes) are left to the volume work of issue 16.
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

TEST_CASE("TestImageVolume: an image volume shows the image's folder, read-only") {
  Project p(R"(services:
  with_image:
    image: busybox:test
    command: "busybox ls -al /mnt/image"
    volumes:
      - type: image
        source: busybox:test
        target: /mnt/image
        image:
          subpath: bin/
)", "compose-e2e-image-volume");
  auto r = p.run({"up", "with_image"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("busybox") != std::string::npos);
}

TEST_CASE("TestImageVolume: a layered image is mounted as its layers stack up, whiteouts included") {
  Project p(R"(services:
  maker:
    image: busybox:test
    command: ["sleep", "1000"]
  reader:
    image: busybox:test
    command: ["sleep", "1000"]
    profiles: ["reader"]
    volumes:
      - type: image
        source: layered:latest
        target: /mnt/image
        image:
          subpath: bin
      - type: image
        source: layered:latest
        target: /mnt/root
)", "image-volume-layers");
  p.ok({"up", "-d", "maker"});
  CHECK(p.wait_state("image-volume-layers-maker-1", "running") == "running");
  p.ok({"exec", "-T", "maker", "sh", "-c", "echo added > /bin/added && busybox rm /bin/wget"});
  p.ok({"commit", "maker", "layered:latest"});  // two layers: busybox's and the change

  p.ok({"--profile", "reader", "up", "-d", "reader"});
  CHECK(p.wait_state("image-volume-layers-reader-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "reader", "cat", "/mnt/image/added"}) == "added\n");
  CHECK(p.ok({"exec", "-T", "reader", "sh", "-c", "test -e /mnt/image/busybox && echo lower"}) == "lower\n");
  CHECK(p.ok({"exec", "-T", "reader", "sh", "-c", "test -e /mnt/image/wget || echo gone"}) == "gone\n");
  CHECK(p.ok({"exec", "-T", "reader", "cat", "/mnt/root/bin/added"}) == "added\n");
  auto w = p.run({"exec", "-T", "reader", "busybox", "touch", "/mnt/image/blocked"});
  CHECK(w.exit_code != 0);
  CHECK(w.err.find("Read-only file system") != std::string::npos);
  p.run({"--profile", "reader", "down", "-t", "0"});
  p.run({"image", "rm", "-f", "layered:latest"});
}

TEST_CASE("TestImageVolume: a subpath that climbs out of the image is refused") {
  Project p(R"(services:
  bad:
    image: busybox:test
    command: ["true"]
    volumes:
      - type: image
        source: busybox:test
        target: /mnt/image
        image:
          subpath: ../../etc
)", "image-volume-bad");
  auto r = p.run({"up", "-d"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("image subpath \"../../etc\" is not a plain relative path") != std::string::npos);
}
