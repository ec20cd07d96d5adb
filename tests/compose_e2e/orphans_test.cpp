// docker compose pkg/e2e/orphans_test.go: a one-off container that has exited is an orphan
// (pkg/compose/containers.go, isOrphaned: a one-off counts when exited or dead, whatever its
// service), so `up` with COMPOSE_REMOVE_ORPHANS=true from the project's .env removes it; a
// running one-off is no orphan. Upstream's nginx:alpine is busybox httpd here.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kOrphans = R"(services:
  orphan:
    profiles: [run]
    image: busybox:test
    command: ["echo", "hello"]
  test:
    image: busybox:test
    command: ["busybox", "httpd", "-f", "-p", "80"]
)";

const char* kProject = "compose-e2e-orphans";

// `ps --all` by project name alone, as upstream runs it.
std::string ps_all(const Project& p) {
  auto r = elsewhere(p).run({"-p", kProject, "ps", "--all"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  return combined(r);
}

}  // namespace

TEST_CASE("TestRemoveOrphans: up with COMPOSE_REMOVE_ORPHANS=true in .env removes the exited one-off container") {
  Project p(kOrphans, kProject);
  mycompose::fs::write_file_atomic(p.dir / ".env", "COMPOSE_REMOVE_ORPHANS=true\n");
  auto run = p.run({"-f", "./compose.yaml", "-p", kProject, "run", "orphan"});
  INFO(combined(run));
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("hello") != std::string::npos);
  CHECK(ps_all(p).find("compose-e2e-orphans-orphan-run-") != std::string::npos);

  auto up = p.run({"-f", "./compose.yaml", "-p", kProject, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(matches(up.err, " Container compose-e2e-orphans-orphan-run-[0-9a-f]+  Removed"));
  const auto all = ps_all(p);
  CHECK(all.find("compose-e2e-orphans-orphan-run-") == std::string::npos);
  CHECK(all.find("compose-e2e-orphans-test-1") != std::string::npos);
}

TEST_CASE("TestRemoveOrphans: up warns about an exited one-off container, --remove-orphans removes it, a running one-off stays") {
  Project p(kOrphans, kProject);
  p.ok({"run", "orphan"});
  auto up = p.run({"up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(matches(up.err, "Found orphan containers \\(\\[compose-e2e-orphans-orphan-run-[0-9a-f]+\\]\\) for this project\\. If you "
                        "removed or renamed this service in your compose file, you can run this command with the "
                        "--remove-orphans flag to clean it up\\."));
  CHECK(ps_all(p).find("compose-e2e-orphans-orphan-run-") != std::string::npos);

  // A one-off still running is no orphan: neither warned about nor removed.
  auto detached = p.run({"run", "-d", "orphan", "sleep", "1000"});
  INFO(combined(detached));
  REQUIRE(detached.exit_code == 0);
  auto removing = p.run({"up", "-d", "--remove-orphans"});
  INFO(combined(removing));
  REQUIRE(removing.exit_code == 0);
  CHECK(removing.err.find("Found orphan") == std::string::npos);
  auto ps = p.ps();
  std::size_t one_offs = 0;
  for (const auto& [name, c] : ps)
    if (name.find("compose-e2e-orphans-orphan-run-") == 0) {
      ++one_offs;
      CHECK(c["State"] == "running");
    }
  CHECK(one_offs == 1);
  p.ok({"down", "-t", "0", "--remove-orphans"});
}
