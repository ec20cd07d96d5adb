// docker compose pkg/e2e/exec_test.go: exec picks the service's container when one runs and
// falls back to a running one-off (`run -d`) container when it is alone; `--index=1` names a
// numbered replica, which a one-off is not. docker compose's getSpecifiedContainer
// (pkg/compose/containers.go) lists one-offs too and sorts them after numbered replicas.
// Upstream's earlier version of the test runs exec by project name alone, from a folder
// without a compose file (its cwd pkg/e2e has none); both forms are here.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

// Upstream's fixtures/exec, tail from busybox.
const char* kExec = R"(services:
  test:
    image: busybox:test
    command: ["busybox", "tail", "-f", "/dev/null"]
)";

// The state of the service's one-off container (named <project>-test-run-<id>), "" if none.
std::string one_off_state(const Project& p) {
  for (const auto& [name, c] : p.ps())
    if (name.rfind("e2e-exec-test-run-", 0) == 0) return c["State"].get<std::string>();
  return "";
}

// The upstream steps, each exec run through `exec_cli`.
void exec_prefers_service_over_one_off(const Project& p, const Cli& exec_cli) {
  // run -d prints the container's id, as docker compose (docker's start echoes what it got).
  const std::string printed = p.ok({"run", "-d", "test", "cat"});
  CHECK(one_off_state(p) == "running");
  std::string one_off_id;
  for (const auto& [name, c] : p.ps())
    if (name.rfind("e2e-exec-test-run-", 0) == 0) one_off_id = c["ID"].get<std::string>();
  CHECK(printed == one_off_id + "\n");

  auto indexed = exec_cli.run({"--project-name", "e2e-exec", "exec", "--index=1", "test", "busybox", "ps"});
  INFO(indexed.out << indexed.err);
  CHECK(indexed.exit_code == 1);
  CHECK(indexed.err.find("service \"test\" is not running container #1") != std::string::npos);

  // With only the one-off around, exec lands in it.
  auto in_one_off = exec_cli.run({"--project-name", "e2e-exec", "exec", "test", "busybox", "ps"});
  INFO(in_one_off.out << in_one_off.err);
  CHECK(in_one_off.exit_code == 0);
  CHECK(in_one_off.out.find("cat") != std::string::npos);

  p.ok({"up", "-d"});
  CHECK(p.wait_state("e2e-exec-test-1", "running") == "running");

  // Now the service container is chosen.
  auto in_service = exec_cli.run({"--project-name", "e2e-exec", "exec", "test", "busybox", "ps"});
  INFO(in_service.out << in_service.err);
  CHECK(in_service.exit_code == 0);
  CHECK(in_service.out.find("tail") != std::string::npos);
  CHECK(in_service.out.find("cat") == std::string::npos);
}

}  // namespace

TEST_CASE("TestExec: exec prefers the service container over a one-off, falling back to the one-off when alone") {
  Project p(kExec, "e2e-exec");
  exec_prefers_service_over_one_off(p, p);
}

TEST_CASE("TestExec: exec by project name alone, without a compose file, finds the same containers") {
  Project p(kExec, "e2e-exec");
  exec_prefers_service_over_one_off(p, elsewhere(p));
}
