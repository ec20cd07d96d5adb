// docker compose pkg/e2e/up_test.go: what up does around failing dependencies, Ctrl-C of a
// foreground `up SERVICE`, --all-resources and an image built for another service.
// TestUpProfile, TestScaleDoesntRecreate and TestUpWithDependencyNotRequired are in
// other files (profiles, scale); TestUpImageID is not ported (images by bare id: no registry).
#include <signal.h>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

// Polls the background command's stdout for `text` (up to 30 s).
bool eventually_prints(const Background& b, const std::string& text) {
  for (int i = 0; i < 600; ++i) {
    if (b.out().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("TestUpServiceUnhealthy: up fails on the unhealthy dependency and leaves its dependent created") {
  Project p(R"(services:
  fail:
    image: busybox:test
    command: ["sleep", "1000"]
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "sh", "-c", "exit 1"]
      interval: 100ms
      retries: 3
  depends:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on:
      fail:
        condition: service_healthy
)", "e2e-up-unhealthy");
  auto r = p.run({"up", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(combined(r).find("dependency failed to start: container e2e-up-unhealthy-fail-1 is unhealthy") != std::string::npos);
  CHECK(p.wait_state("e2e-up-unhealthy-depends-1", "created") == "created");
}

TEST_CASE("TestUpWithDependencyExit: up fails on a dependency that exits before it is healthy") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on:
      db:
        condition: service_healthy
  db:
    image: busybox:test
    command: ["sh", "-c", "exit 1"]
)", "e2e-up-dep-exit");
  auto r = p.run({"up", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(combined(r).find("dependency failed to start: container e2e-up-dep-exit-db-1 exited (1)") != std::string::npos);
  CHECK(p.wait_state("e2e-up-dep-exit-web-1", "created") == "created");
}

TEST_CASE("TestUpDependenciesNotStopped: Ctrl-C of a foreground up SERVICE stops it, not its dependency nor an orphan") {
  Project p(R"(services:
  dependency:
    image: busybox:test
    command: ["sh", "-c", "while true; do echo hello dependency; sleep 1; done"]
  app:
    depends_on: [dependency]
    image: busybox:test
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do echo hello app; sleep 1; done"]
)", "up-deps-stop");
  mycompose::fs::write_file_atomic(p.dir / "orphan.yaml", R"(services:
  orphan:
    image: busybox:test
    command: ["sh", "-c", "while true; do echo hello orphan; sleep 1; done"]
)");
  p.ok({"-f", "orphan.yaml", "up", "--wait", "--detach", "orphan"});
  CHECK(p.wait_state("up-deps-stop-orphan-1", "running") == "running");

  Background up(p, {"up", "--menu=false", "app"}, "up-app");
  REQUIRE(eventually_prints(up, "hello app"));
  CHECK(p.wait_state("up-deps-stop-app-1", "running") == "running");
  CHECK(p.wait_state("up-deps-stop-dependency-1", "running") == "running");

  ::kill(up.pid, SIGINT);
  const int code = up.wait();
  INFO(up.out() << up.err());
  CHECK((code == 0 || code == 130));
  CHECK(p.wait_state("up-deps-stop-app-1", "exited") == "exited");
  CHECK(p.wait_state("up-deps-stop-dependency-1", "running") == "running");
  CHECK(p.wait_state("up-deps-stop-orphan-1", "running") == "running");
  p.ok({"down", "-t", "0", "--remove-orphans"});
}

TEST_CASE("TestUpWithAllResources: up --all-resources creates the volume and network no service uses") {
  Project p(R"(volumes:
  my_vol: {}
networks:
  my_net: {}
)", "e2e-all-resources");
  auto r = p.run({"--all-resources", "up"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(matches(combined(r), "Volume \"e2e-all-resources_my_vol\" +Created"));
  CHECK(matches(combined(r), "Network e2e-all-resources_my_net +Created"));
  p.ok({"--all-resources", "down", "-v"});
}

TEST_CASE("TestUpWithBuildDependencies: up builds the image once and starts both services from it") {
  Project p(R"(services:
  foo:
    image: ${BUILT_IMAGE}
    build:
      context: .
    command: ["sleep", "1000"]
  bar:
    image: ${BUILT_IMAGE}
    command: ["sleep", "1000"]
    depends_on:
      - foo
)", "e2e-up-build-deps");
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\nRUN echo hello\n");
  Cli c = p;
  c.o.env["BUILT_IMAGE"] = "e2e-up-build-deps-built";
  auto r = c.run({"up", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(c.run({"image", "inspect", "e2e-up-build-deps-built"}).exit_code == 0);
  CHECK(p.wait_state("e2e-up-build-deps-bar-1", "running") == "running");
  c.ok({"down", "-t", "0", "--rmi", "all"});
}

// Ported in part: upstream also expects service2's lines and its pre_stop hook's output,
// written while the abort stops it, in up's output. Foreground up stops relaying output once it
// aborts and hook output is not streamed, so those two checks are not here (issue 16 stays
// open for them); the Stopped line for the already exited service1 is.
TEST_CASE("TestUpStopWithLogsMixed: on abort the surviving service's output and its pre_stop hook's still show") {
  // service2 pings for ever, so the abort always has it to stop (and its pre_stop hook to run).
  Project p(R"(services:
  service1:
    image: busybox:test
    command: ["sh", "-c", "sleep 2"]
  service2:
    image: busybox:test
    init: true
    command: ["busybox", "ping", "localhost"]
    pre_stop:
      - command: echo "stop hook running..."
)", "e2e-up-logs-mixed");
  auto r = p.run({"up", "--abort-on-container-exit"});
  INFO(combined(r));
  CHECK(r.err.find(" Container e2e-up-logs-mixed-service1-1  Stopped\n") != std::string::npos);
  // docker compose's source for a hook's lines: "<container> ->", padded as any other name.
  CHECK(r.out.find("service2-1 ->  | stop hook running...\n") != std::string::npos);
  CHECK(r.out.find("64 bytes") != std::string::npos);
}

TEST_CASE("post_start hook output shows in foreground up as <name> ->, not with -d") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "sleep 1"]
    post_start:
      - command: ["sh", "-c", "echo started-hook; echo on-stderr >&2"]
)", "e2e-up-hook-output");
  auto r = p.run({"up"});
  INFO(combined(r));
  CHECK(r.out.find("web-1 ->  | started-hook\n") != std::string::npos);
  CHECK(r.out.find("web-1 ->  | on-stderr\n") != std::string::npos);
  auto d = p.run({"up", "-d", "--force-recreate"});
  CHECK(d.out.find("started-hook") == std::string::npos);
  CHECK(d.err.find("started-hook") == std::string::npos);
}
