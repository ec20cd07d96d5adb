// docker compose's pkg/e2e/hooks_test.go, ported for post_start and pre_stop: the hooks run
// in the container (exec) after it starts / before it stops, and a failing one fails the
// command with "<service> hook exited with status <n>". The pre_start cases of the newer
// upstream file (hook containers run before the service) are not ported: mycompose does not
// have pre_start yet.
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {

// fixtures/hooks/compose.yaml with busybox for nginx, and the volume as fixtures/hooks/prestop
// has it ("data:/data": the loader refuses the ":z" the newer fixture adds; see the report).
const char* kHooks = R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - "data:/data"
    pre_stop:
      - command: sh -c 'echo "In the pre-stop" >> /data/log.txt'
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: sh -c 'echo env'
volumes:
  data:
    name: sample-data
)";

std::string volume_file(const Project& p, const std::string& file) {
  const auto path = p.store().volume_path("sample-data") / file;
  return stdfs::exists(path) ? mycompose::fs::read_file(path) : "";
}

}  // namespace

TEST_CASE("TestPostStartHookInError: a failing post_start hook fails up with its exit status") {
  Project p(R"(services:

  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: sh -c 'command in error'
)");
  auto r = p.run({"up", "-d"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("test hook exited with status 127") != std::string::npos);
}

TEST_CASE("TestPostStartHookSuccess: a post_start hook runs after the service starts, without failing up") {
  Project p(R"Y(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: sh -c 'echo env'
      - command: busybox mkdir -m 1777 /tmp
      - command: sh -c 'pwd > /tmp/hooked; busybox id -u >> /tmp/hooked; echo "$$GREETING $$(echo sub)" >> /tmp/hooked'
        user: "65534"
        working_dir: /etc
        environment:
          GREETING: hello
)Y");
  auto r = p.run({"up", "-d"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  // In order, in the container, as the hook's user, folder and environment say; `$$` reaches
  // the shell as `$` (`$(…)` unescaped is an interpolation error, as in docker compose).
  CHECK(p.ok({"exec", "-T", "test", "cat", "/tmp/hooked"}) == "/etc\n65534\nhello sub\n");
}

TEST_CASE("TestPreStopHookSuccess: a pre_stop hook runs in the container before it is stopped") {
  Project p(kHooks);
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(volume_file(p, "log.txt") == "");
  p.ok({"stop"});
  CHECK(p.wait_state("proj-sample-1", "exited") == "exited");
  CHECK(volume_file(p, "log.txt") == "In the pre-stop\n");
}

TEST_CASE("TestPreStopHookInError: a failing pre_stop hook fails down with its exit status") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data
    pre_stop:
      - command: sh -c 'command in error'
volumes:
  data:
    name: sample-data
)");
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  auto r = p.run({"down", "-t", "0"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("sample hook exited with status 127") != std::string::npos);
  // The hook failed before the stop: the container still runs.
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  // Without the hook, the fixture's down can clean up.
  mycompose::fs::write_file_atomic(p.dir / "compose.yaml", R"(services:
  sample:
    image: busybox:test
volumes:
  data:
    name: sample-data
)");
}

TEST_CASE("TestPreStopHookSuccessWithPreviousStop: stop of one service runs its hook and stops only it") {
  Project p(kHooks);
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  p.ok({"stop", "sample"});
  CHECK(p.wait_state("proj-sample-1", "exited") == "exited");
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  CHECK(volume_file(p, "log.txt") == "In the pre-stop\n");
}

TEST_CASE("TestPostStartAndPreStopHook: post_start and pre_stop hooks in one project do not interfere with up") {
  Project p(kHooks);
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  // down runs the pre_stop hook too.
  p.ok({"down"});
  CHECK(volume_file(p, "log.txt") == "In the pre-stop\n");
}
