// docker compose pkg/e2e/profiles_test.go: a profile enabled by --profile, by COMPOSE_PROFILES
// in an --env-file, or by naming one of its services; stop/start/restart follow the same
// selection, and `-p NAME ps` (no compose file) lists what runs. nginx:alpine is busybox here.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kProfiles = R"(services:
  regular-service:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]

  profiled-service:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
    profiles:
      - test-profile
)";

const std::string kProfiled = "profiled-service";
const std::string kRegular = "regular-service";

bool has(const mycompose::test::RunResult& r, const std::string& what) { return combined(r).find(what) != std::string::npos; }

}  // namespace

TEST_CASE("TestExplicitProfileUsage: --profile starts, stops, starts and restarts both services") {
  const std::string name = "compose-e2e-explicit-profiles";
  Project p(kProfiles, name);
  Cli by_name = elsewhere(p);
  p.ok({"-f", "compose.yaml", "-p", name, "--profile", "test-profile", "up", "-d"});
  auto ps = by_name.run({"-p", name, "ps"});
  CHECK(has(ps, kRegular));
  CHECK(has(ps, kProfiled));

  p.ok({"-f", "compose.yaml", "-p", name, "--profile", "test-profile", "stop"});
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK_FALSE(has(ps, kRegular));
  CHECK_FALSE(has(ps, kProfiled));

  p.ok({"-f", "compose.yaml", "-p", name, "--profile", "test-profile", "start"});
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK(has(ps, kRegular));
  CHECK(has(ps, kProfiled));

  p.ok({"-f", "compose.yaml", "-p", name, "--profile", "test-profile", "restart"});
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK(has(ps, kRegular));
  CHECK(has(ps, kProfiled));

  by_name.run({"--project-name", name, "down"});
  CHECK(p.ps().empty());
}

TEST_CASE("TestNoProfileUsage: without --profile only the regular service is up, stopped, started, restarted") {
  const std::string name = "compose-e2e-no-profiles";
  Project p(kProfiles, name);
  Cli by_name = elsewhere(p);
  p.ok({"-f", "compose.yaml", "-p", name, "up", "-d"});
  auto ps = by_name.run({"-p", name, "ps"});
  CHECK(has(ps, kRegular));
  CHECK_FALSE(has(ps, kProfiled));

  p.ok({"-f", "compose.yaml", "-p", name, "stop"});
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK_FALSE(has(ps, kRegular));
  CHECK_FALSE(has(ps, kProfiled));

  p.ok({"-f", "compose.yaml", "-p", name, "start"});
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK(has(ps, kRegular));
  CHECK_FALSE(has(ps, kProfiled));

  p.ok({"-f", "compose.yaml", "-p", name, "restart"});
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK(has(ps, kRegular));
  CHECK_FALSE(has(ps, kProfiled));

  by_name.run({"--project-name", name, "down"});
  CHECK(p.ps().empty());
}

// docker compose enables the profiles of every service named on the command line
// (cmd/compose/compose.go ProjectOptions.ToProject: project.WithServicesEnabled(services...)),
// for stop and start as for up.
TEST_CASE("TestActiveProfileViaTargetedService: naming a profiled service enables its profile for up, stop and start") {
  const std::string name = "compose-e2e-via-target-service-profiles";
  Project p(kProfiles, name);
  Cli by_name = elsewhere(p);
  p.ok({"-f", "compose.yaml", "-p", name, "up", kProfiled, "-d"});
  auto ps = by_name.run({"-p", name, "ps"});
  CHECK_FALSE(has(ps, kRegular));
  CHECK(has(ps, kProfiled));
  ps = by_name.run({"-p", name, "--profile", "test-profile", "ps"});
  CHECK_FALSE(has(ps, kRegular));
  CHECK(has(ps, kProfiled));

  auto stop = p.run({"-f", "compose.yaml", "-p", name, "stop", kProfiled});
  INFO(combined(stop));
  CHECK(stop.exit_code == 0);
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK_FALSE(has(ps, kRegular));
  CHECK_FALSE(has(ps, kProfiled));

  auto start = p.run({"-f", "compose.yaml", "-p", name, "start", kProfiled});
  INFO(combined(start));
  CHECK(start.exit_code == 0);
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK_FALSE(has(ps, kRegular));
  CHECK(has(ps, kProfiled));

  p.ok({"-f", "compose.yaml", "-p", name, "restart"});
  ps = by_name.run({"-p", name, "ps", "--status", "running"});
  CHECK_FALSE(has(ps, kRegular));
  CHECK(has(ps, kProfiled));

  by_name.run({"--project-name", name, "down"});
  CHECK(p.ps().empty());
}

// Not upstream's: the other verbs that take service names enable a named service's profile too
// (docker compose: ps, restart, kill, unpause, create go through the same ToProject).
TEST_CASE("TestActiveProfileViaTargetedService: ps, restart, kill, unpause and create take a profiled service by name") {
  const std::string name = "compose-e2e-profiles-named-verbs";
  Project p(kProfiles, name);
  p.ok({"up", "-d", kProfiled});
  for (const std::vector<std::string>& verb : std::vector<std::vector<std::string>>{
           {"ps", kProfiled}, {"restart", kProfiled}, {"pause", kProfiled}, {"unpause", kProfiled},
           {"kill", kProfiled}, {"create", kProfiled}}) {
    auto r = p.run(verb);
    INFO(verb.front() << ": " << combined(r));
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("no such service") == std::string::npos);
  }
}

TEST_CASE("TestDotEnvProfileUsage: COMPOSE_PROFILES from --env-file enables the profile") {
  const std::string name = "compose-e2e-dotenv-profiles";
  Project p(kProfiles, name);
  mycompose::fs::write_file_atomic(p.dir / "test-profile.env", "COMPOSE_PROFILES=test-profile\n");
  Cli by_name = elsewhere(p);
  p.ok({"-f", "compose.yaml", "--env-file", "test-profile.env", "-p", name, "--profile", "test-profile", "up", "-d"});
  auto ps = by_name.run({"-p", name, "ps"});
  CHECK(has(ps, kRegular));
  CHECK(has(ps, kProfiled));
}
