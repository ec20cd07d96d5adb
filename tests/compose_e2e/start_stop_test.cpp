// docker compose pkg/e2e/start_stop_test.go: start, stop, pause and restart of a project by
// its name alone (no compose file where the command runs), dependencies started with the
// service asked for, one-off containers left alone. Upstream's fixtures/dependencies runs foo
// with `command: "${COMMAND}"` (unset: the image's CMD) and bar scaled to 2, and its
// "Up no-deps" step uses fixtures/links: the last case here follows them as written.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kDependencies = R"(services:
  foo:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on: [bar]
  bar:
    image: busybox:test
    command: ["sleep", "1000"]
)";

// "NAME   running(2)" in `ls` output.
std::string project_regex(const std::string& name, const std::string& status) { return name + "\\s+" + status + "\\(2\\)"; }
// A ps table row of the service's first container with its status word.
std::string service_regex(const std::string& name, const std::string& service, const std::string& status) {
  return name + "-" + service + "-1.+" + service + "\\s+.+" + status;
}

// fixtures/dependencies as upstream has it: foo's command is empty when COMMAND is unset, so
// the image's CMD runs (nginx's there, a built image's here).
// pull_policy: build (upstream has none): a missing image with a build section is first
// pulled, as docker compose does, and tests reach no registry.
const char* kUpstreamDependencies = R"(services:
  foo:
    image: e2e-start-stop-sleeper
    pull_policy: build
    build:
      dockerfile_inline: |
        FROM busybox:test
        CMD ["sleep", "1000"]
    command: "${COMMAND}"
    depends_on:
      - bar

  bar:
    image: busybox:test
    command: ["sleep", "1000"]
    scale: 2
)";

// fixtures/links
const char* kLinks = R"(services:
  foo:
    image: busybox:test
    command: ["sleep", "1000"]
    links:
      - bar

  bar:
    image: busybox:test
    command: ["sleep", "1000"]
)";

}  // namespace

TEST_CASE("TestStartStop: up, then ps, stop, start, pause and down by project name") {
  const std::string name = "e2e-start-stop-no-dependencies";
  Project p(kSimpleComposefile, name);
  Cli bare = elsewhere(p);

  auto up = p.run({"--project-name", name, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container e2e-start-stop-no-dependencies-simple-1  Started") != std::string::npos);
  CHECK(matches(bare.ok({"ls", "--all"}), project_regex(name, "running")));
  std::string ps = bare.ok({"--project-name", name, "ps"});
  CHECK(matches(ps, service_regex(name, "simple", "Up")));
  CHECK(matches(ps, service_regex(name, "another", "Up")));

  // stop project (with its file), then look at it by name
  p.ok({"--project-name", name, "stop"});
  CHECK(bare.ok({"ls"}).find(name) == std::string::npos);
  CHECK(matches(bare.ok({"ls", "--all"}), project_regex(name, "exited")));
  CHECK(bare.ok({"--project-name", name, "ps"}).find(name + "-simple-1") == std::string::npos);
  ps = bare.ok({"--project-name", name, "ps", "--all"});
  CHECK(matches(ps, service_regex(name, "simple", "Exited")));
  CHECK(matches(ps, service_regex(name, "another", "Exited")));

  // start project
  p.ok({"--project-name", name, "start"});
  CHECK(matches(bare.ok({"ls"}), project_regex(name, "running")));

  // pause and unpause project
  p.ok({"--project-name", name, "pause"});
  CHECK(matches(bare.ok({"ls", "--all"}), project_regex(name, "paused")));
  p.ok({"--project-name", name, "unpause"});
  CHECK(matches(bare.ok({"ls"}), project_regex(name, "running")));

  // down by name: nothing of the project is left
  auto down = bare.run({"--project-name", name, "down"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK(down.err.find("Container e2e-start-stop-no-dependencies-simple-1  Removed") != std::string::npos);
  CHECK(down.err.find("Network e2e-start-stop-no-dependencies_default  Removed") != std::string::npos);
  CHECK(p.store().list().empty());
}

TEST_CASE("TestStartStopWithDependencies: stop and start by name, start takes the dependency along") {
  const std::string name = "e2e-start-stop-with-dependencies";
  Project p(kDependencies, name);
  Cli bare = elsewhere(p);

  auto up = p.run({"--project-name", name, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container e2e-start-stop-with-dependencies-foo-1  Started") != std::string::npos);
  CHECK(combined(up).find("Container e2e-start-stop-with-dependencies-bar-1  Started") != std::string::npos);

  // stop foo
  auto stop = bare.run({"--project-name", name, "stop", "foo"});
  INFO(combined(stop));
  REQUIRE(stop.exit_code == 0);
  CHECK(combined(stop).find("Container e2e-start-stop-with-dependencies-foo-1  Stopped") != std::string::npos);
  std::string running = bare.ok({"--project-name", name, "ps", "--status", "running"});
  CHECK(running.find(name + "-bar-1") != std::string::npos);
  CHECK(running.find(name + "-foo-1") == std::string::npos);

  // start foo: bar (stopped now) comes first
  stop = bare.run({"--project-name", name, "stop"});
  CHECK(combined(stop).find("Container e2e-start-stop-with-dependencies-bar-1  Stopped") != std::string::npos);
  auto start = bare.run({"--project-name", name, "start", "foo"});
  INFO(combined(start));
  REQUIRE(start.exit_code == 0);
  CHECK(pos(combined(start), "Container e2e-start-stop-with-dependencies-bar-1  Started") <
        pos(combined(start), "Container e2e-start-stop-with-dependencies-foo-1  Started"));
  running = bare.ok({"--project-name", name, "ps", "--status", "running"});
  CHECK(running.find(name + "-bar-1") != std::string::npos);
  CHECK(running.find(name + "-foo-1") != std::string::npos);

  // Up no-deps (upstream's links fixture; the same with depends_on here)
  bare.ok({"--project-name", name, "down"});
  up = p.run({"--project-name", name, "up", "--no-deps", "-d", "foo"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container e2e-start-stop-with-dependencies-foo-1  Started") != std::string::npos);
  CHECK(combined(up).find("Container e2e-start-stop-with-dependencies-bar-1  Started") == std::string::npos);
  bare.ok({"--project-name", name, "down"});
}

TEST_CASE("TestStartStopWithOneOffs: stop, start and restart by name leave one-off containers alone") {
  const std::string name = "e2e-start-stop-with-oneoffs";
  Project p(kDependencies, name);
  Cli bare = elsewhere(p);

  auto up = p.run({"--project-name", name, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container e2e-start-stop-with-oneoffs-foo-1  Started") != std::string::npos);
  CHECK(combined(up).find("Container e2e-start-stop-with-oneoffs-bar-1  Started") != std::string::npos);

  // run one-off
  p.ok({"--project-name", name, "run", "-d", "bar", "sleep", "1000"});
  std::string all = bare.ok({"--project-name", name, "ps", "-a"});
  CHECK(all.find(name + "-foo-1") != std::string::npos);
  CHECK(all.find(name + "-bar-1") != std::string::npos);
  CHECK(all.find(name + "-bar-run-") != std::string::npos);

  // stop (not one-off containers)
  auto stop = bare.run({"--project-name", name, "stop"});
  INFO(combined(stop));
  REQUIRE(stop.exit_code == 0);
  CHECK(combined(stop).find(name + "-foo-1") != std::string::npos);
  CHECK(combined(stop).find(name + "-bar-1") != std::string::npos);
  CHECK(combined(stop).find(name + "-bar-run-") == std::string::npos);
  CHECK(bare.ok({"--project-name", name, "ps", "-a", "--status", "running"}).find(name + "-bar-run-") != std::string::npos);

  // start (not one-off containers)
  auto start = bare.run({"--project-name", name, "start"});
  INFO(combined(start));
  REQUIRE(start.exit_code == 0);
  CHECK(combined(start).find(name + "-foo-1") != std::string::npos);
  CHECK(combined(start).find(name + "-bar-1") != std::string::npos);
  CHECK(combined(start).find(name + "-bar-run-") == std::string::npos);

  // restart (not one-off containers)
  auto restart = bare.run({"--project-name", name, "restart"});
  INFO(combined(restart));
  REQUIRE(restart.exit_code == 0);
  CHECK(combined(restart).find(name + "-foo-1") != std::string::npos);
  CHECK(combined(restart).find(name + "-bar-1") != std::string::npos);
  CHECK(combined(restart).find(name + "-bar-run-") == std::string::npos);

  // down --remove-orphans by name takes the one-off too
  bare.ok({"--project-name", name, "down", "--remove-orphans", "-t", "0"});
  CHECK(bare.ok({"--project-name", name, "ps", "-a", "--status", "running"}).find(name + "-bar") == std::string::npos);
  CHECK(p.store().list().empty());
}

TEST_CASE("TestStartStopWithDependencies: upstream's fixtures, an empty command runs the image's CMD, links with --no-deps, rm -fsv by name") {
  const std::string name = "e2e-start-stop-with-deps-upstream";
  Project p(kUpstreamDependencies, name);
  mycompose::fs::write_file_atomic(p.dir / "links.yaml", kLinks);
  p.o.unset_env.push_back("COMMAND");
  Cli bare = elsewhere(p);

  // Up
  auto up = p.run({"--project-name", name, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container " + name + "-foo-1  Started") != std::string::npos);
  CHECK(combined(up).find("Container " + name + "-bar-1  Started") != std::string::npos);
  CHECK(combined(up).find("Container " + name + "-bar-2  Started") != std::string::npos);
  CHECK(p.wait_state(name + "-foo-1", "running") == "running");

  // stop foo
  auto stop = bare.run({"--project-name", name, "stop", "foo"});
  INFO(combined(stop));
  REQUIRE(stop.exit_code == 0);
  CHECK(combined(stop).find("Container " + name + "-foo-1  Stopped") != std::string::npos);
  std::string running = bare.ok({"--project-name", name, "ps", "--status", "running"});
  CHECK(running.find(name + "-bar-1") != std::string::npos);
  CHECK(running.find(name + "-foo-1") == std::string::npos);

  // start foo
  stop = bare.run({"--project-name", name, "stop"});
  CHECK(combined(stop).find("Container " + name + "-bar-1  Stopped") != std::string::npos);
  auto start = bare.run({"--project-name", name, "start", "foo"});
  INFO(combined(start));
  REQUIRE(start.exit_code == 0);
  CHECK(combined(start).find("Container " + name + "-bar-1  Started") != std::string::npos);
  CHECK(combined(start).find("Container " + name + "-foo-1  Started") != std::string::npos);
  running = bare.ok({"--project-name", name, "ps", "--status", "running"});
  CHECK(running.find(name + "-bar-1") != std::string::npos);
  CHECK(running.find(name + "-foo-1") != std::string::npos);

  // Up no-deps links
  bare.ok({"--project-name", name, "down"});
  up = p.run({"-f", "links.yaml", "--project-name", name, "up", "--no-deps", "-d", "foo"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("Container " + name + "-foo-1  Started") != std::string::npos);
  CHECK(combined(up).find("Container " + name + "-bar-1  Started") == std::string::npos);

  // upstream's deferred cleanup: rm -fsv by project name
  auto rm = bare.run({"--project-name", name, "rm", "-fsv"});
  INFO(combined(rm));
  CHECK(rm.exit_code == 0);
  CHECK(bare.ok({"--project-name", name, "ps", "-a"}).find(name + "-foo-1") == std::string::npos);
  bare.ok({"--project-name", name, "down"});
}
