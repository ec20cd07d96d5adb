// docker compose's pkg/e2e/volumes_test.go, ported for TestImageVolume: a `type: image` volume
// mounts another image's filesystem (here a folder of it, image.subpath) read-only; for
// TestUpSwitchVolumes: a switched external volume recreates the container on the new one; and
// for the progress lines of volumes (`Volume "x"  Created`, quoted as docker compose's %q).
// for TestUpRecreateVolumes: a volume whose definition changed is recreated, with the
// containers using it, only when the user agrees (-y, or "y" to docker compose's prompt); and
// TestUpRecreateVolumes_IgnoreBinds. The other cases (bind mounts served by nginx, anonymous
// volume renewal) are not ported here.
#include <catch2/catch.hpp>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

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

namespace {

// fixtures/switch-volumes: the service's volume key stays, the external volume it names changes.
std::string switch_volumes(const std::string& external) {
  return R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - "my_vol:/my_vol"
volumes:
  my_vol:
    external: true
    name: )" + external + "\n";
}

}  // namespace

TEST_CASE("TestUpSwitchVolumes: a service whose external volume is switched is recreated on the new one") {
  Project p(switch_volumes("test_external_volume"), "compose-e2e-switch-volumes");
  for (const std::string v : {"test_external_volume", "test_external_volume_2"}) {
    p.ok({"volume", "create", v});
    mycompose::fs::write_file_atomic(p.store().volume_path(v) / "which", v);
  }
  p.ok({"up", "-d"});
  REQUIRE(p.wait_state("compose-e2e-switch-volumes-app-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "app", "cat", "/my_vol/which"}) == "test_external_volume");

  mycompose::fs::write_file_atomic(p.dir / "compose.yaml", switch_volumes("test_external_volume_2"));
  auto up = p.run({"up", "-d"});
  INFO(up.out + up.err);
  REQUIRE(up.exit_code == 0);
  REQUIRE(p.wait_state("compose-e2e-switch-volumes-app-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "app", "cat", "/my_vol/which"}) == "test_external_volume_2");
  p.ok({"down"});
  for (const std::string v : {"test_external_volume", "test_external_volume_2"}) p.ok({"volume", "rm", "-f", v});
}

TEST_CASE("TestLocalComposeVolume: the volume up creates is shown with its name quoted, as docker compose prints it") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: ["data:/data"]
volumes:
  data: {}
)");
  auto up = p.run({"up", "-d"});
  INFO(up.out + up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.err.find(" Volume \"proj_data\"  Creating\n Volume \"proj_data\"  Created\n") != std::string::npos);
  CHECK(up.err.find(" Network proj_default  Created\n") != std::string::npos);  // networks: no quotes
  auto down = p.run({"down", "-v"});
  INFO(down.out + down.err);
  CHECK(down.err.find(" Volume proj_data  Removed\n") != std::string::npos);  // nor on removal
}

namespace {

// fixtures/recreate-volumes: one service on a project volume whose label changes.
std::string recreate_volumes(const std::string& foo) {
  return R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - my_vol:/my_vol
volumes:
  my_vol:
    labels:
      foo: )" + foo + "\n";
}

}  // namespace

TEST_CASE("TestUpRecreateVolumes: a volume whose labels changed is recreated with its containers under -y, kept otherwise") {
  const std::string project = "compose-e2e-recreate-volumes", volume = project + "_my_vol";
  Project p(recreate_volumes("bar"), project);
  p.ok({"up", "-d"});
  REQUIRE(p.wait_state(project + "-app-1", "running") == "running");
  const std::string label = "{{ index .Labels \"foo\" }}";
  CHECK(p.ok({"volume", "inspect", volume, "-f", label}) == "bar\n");
  p.ok({"exec", "-T", "app", "sh", "-c", "echo kept > /my_vol/data"});

  mycompose::fs::write_file_atomic(p.dir / "compose.yaml", recreate_volumes("zot"));
  const std::string question = "Volume \"" + volume + "\" exists but doesn't match configuration in compose file. Recreate (data will be lost)?";
  // No answer (stdin closed) and "n" both keep the volume and its data, as docker compose does.
  for (const std::string answer : {"", "n\n"}) {
    auto kept = p.run({"up", "-d"}, answer);
    INFO(combined(kept));
    CHECK(kept.exit_code == 0);
    CHECK(combined(kept).find(question) != std::string::npos);
    CHECK(p.ok({"volume", "inspect", volume, "-f", label}) == "bar\n");
    CHECK(p.ok({"exec", "-T", "app", "cat", "/my_vol/data"}) == "kept\n");
  }

  auto yes = p.run({"up", "-d", "-y"});
  INFO(combined(yes));
  REQUIRE(yes.exit_code == 0);
  CHECK(combined(yes).find(question) == std::string::npos);  // -y: no question
  CHECK(yes.err.find(" Volume " + volume + "  Removed\n") != std::string::npos);
  CHECK(yes.err.find(" Container " + project + "-app-1  Removed\n") != std::string::npos);
  CHECK(p.ok({"volume", "inspect", volume, "-f", label}) == "zot\n");
  REQUIRE(p.wait_state(project + "-app-1", "running") == "running");
  CHECK(p.run({"exec", "-T", "app", "cat", "/my_vol/data"}).exit_code != 0);  // a new, empty volume
  p.ok({"exec", "-T", "app", "sh", "-c", "echo again > /my_vol/data"});

  auto same = p.run({"up", "-d"});  // the definition matches now: nothing asked, nothing recreated
  INFO(combined(same));
  CHECK(same.exit_code == 0);
  CHECK(combined(same).find(question) == std::string::npos);
  CHECK(combined(same).find("Recreate") == std::string::npos);
  CHECK(p.ok({"exec", "-T", "app", "cat", "/my_vol/data"}) == "again\n");
}

TEST_CASE("TestUpRecreateVolumes_IgnoreBinds: a bind mount is never taken for a changed volume") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - .:/project
)", "compose-e2e-recreate-binds");
  p.ok({"up", "-d"});
  auto again = p.run({"up", "-d"});
  INFO(combined(again));
  CHECK(again.exit_code == 0);
  CHECK(combined(again).find("Recreated") == std::string::npos);
}

TEST_CASE("create asks up's question about a changed volume: -y recreates it with its container, no answer keeps it") {
  const std::string project = "compose-e2e-create-volumes", volume = project + "_my_vol";
  Project p(recreate_volumes("bar"), project);
  p.ok({"up", "-d"});
  REQUIRE(p.wait_state(project + "-app-1", "running") == "running");
  p.ok({"exec", "-T", "app", "sh", "-c", "echo kept > /my_vol/data"});
  const std::string label = "{{ index .Labels \"foo\" }}";
  mycompose::fs::write_file_atomic(p.dir / "compose.yaml", recreate_volumes("zot"));
  const std::string question = "Volume \"" + volume + "\" exists but doesn't match configuration in compose file. Recreate (data will be lost)?";

  auto kept = p.run({"create"}, "");
  INFO(combined(kept));
  CHECK(kept.exit_code == 0);
  CHECK(combined(kept).find(question) != std::string::npos);
  CHECK(p.ok({"volume", "inspect", volume, "-f", label}) == "bar\n");
  CHECK(p.ok({"exec", "-T", "app", "cat", "/my_vol/data"}) == "kept\n");

  auto yes = p.run({"create", "-y"});
  INFO(combined(yes));
  REQUIRE(yes.exit_code == 0);
  CHECK(combined(yes).find(question) == std::string::npos);
  CHECK(yes.err.find(" Volume " + volume + "  Removed\n") != std::string::npos);
  CHECK(p.ok({"volume", "inspect", volume, "-f", label}) == "zot\n");
  CHECK(p.wait_state(project + "-app-1", "created") == "created");  // create: made again, not started
}
