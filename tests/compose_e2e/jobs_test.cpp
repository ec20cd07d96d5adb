// docker compose pkg/e2e/jobs_test.go: the top-level `jobs:` element (compose-go JobConfig,
// docker compose pkg/compose/jobs.go). A job is a container spec with `triggers`: a
// `schedule` (cron) job is registered with the engine by `up` (also `up --no-start`; re-up of
// an unchanged spec is a no-op) and fires on the engine's own clock; any job runs through
// `run` like a service (its depends_on first, output and exit code back) unless it says
// `manual: false`, which also refuses it as a dependency of a run job; every other command
// that names a job refuses it, pointing at run. `down` removes the project's jobs.
// Follows upstream's latest version of the file; an older one refused `run` of a
// schedule-only job ("has no manual trigger"), which upstream dropped (jobs.go,
// ManualTriggerDisabled: only `manual: false` opts out).
// alpine is busybox:test; `sleep infinity` is `sleep 1000`.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kScheduled = R"(services:
  web:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
jobs:
  # Fails on purpose: a failed run keeps its container, which shows the schedule fired.
  backup:
    image: busybox:test
    command: sh -c 'exit 1'
    environment:
      A: "1"
      B: "2"
      C: "3"
      D: "4"
    triggers:
      schedule:
        - cron: "* * * * *"
)";

const char* kManual = R"(services:
  db:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
jobs:
  migrate:
    image: busybox:test
    command: sh -c 'echo "migration done"'
    environment:
      A: "1"
      B: "2"
      C: "3"
      D: "4"
    triggers:
      manual: true
    depends_on:
      db:
        condition: service_started
  backup:
    image: busybox:test
    command: echo backup
    triggers:
      schedule:
        - cron: "0 3 * * *"
  rotation:
    image: busybox:test
    command: echo rotation
    triggers:
      manual: false
      schedule:
        - cron: "0 3 1 * *"
)";

// A container of the project for `service` (a job's runs carry the job's name) that ran and
// exited, polled up to 90 s: a "* * * * *" schedule fires at the next minute.
bool eventually_exited(const Project& p, const std::string& project, const std::string& service) {
  for (int i = 0; i < 900; ++i) {
    auto store = p.store();
    for (const auto& c : store.list(project))
      if (c.service == service && store.state(c.id).status == "stopped") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string state_of(const Project& p, const std::string& name) {
  auto ps = p.ps();
  return ps.count(name) ? ps[name]["State"].get<std::string>() : "";
}

// Nothing of `service` was created.
bool none_of(const Project& p, const std::string& service) {
  for (const auto& [name, c] : p.ps())
    if (c.value("Service", "") == service) return false;
  return true;
}

// docker compose's words name `docker compose run`; ours may name our own binary.
void check_refused_job(const mycompose::test::RunResult& r, const std::string& job) {
  INFO(combined(r));
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("job \"" + job + "\" can only be triggered with \"") != std::string::npos);
  CHECK(r.err.find("compose run\"") != std::string::npos);
}

}  // namespace

TEST_CASE("TestUpRegistersScheduledJobs: up registers the scheduled job, re-up is a no-op, the schedule fires on its own") {
  Project p(kScheduled, "e2e-up-registers-scheduled-jobs");
  auto up = p.run({"up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(state_of(p, "e2e-up-registers-scheduled-jobs-web-1") == "running");
  auto again = p.run({"up", "-d"});
  INFO(combined(again));
  CHECK(again.exit_code == 0);
  CHECK(state_of(p, "e2e-up-registers-scheduled-jobs-web-1") == "running");
  CHECK(eventually_exited(p, "e2e-up-registers-scheduled-jobs", "backup"));
}

TEST_CASE("TestRunAlreadyRegisteredScheduledJob: run of a job up registered does not conflict with its spec") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    stop_grace_period: 1s
jobs:
  backup:
    image: busybox:test
    command: sh -c 'echo backup-ran'
    tty: true
    triggers:
      schedule:
        - cron: "0 3 * * *"
)", "e2e-run-already-registered-scheduled-job");
  p.ok({"up", "-d"});
  CHECK(state_of(p, "e2e-run-already-registered-scheduled-job-web-1") == "running");
  auto r = p.run({"run", "--rm", "backup"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(combined(r).find("backup-ran") != std::string::npos);
}

TEST_CASE("TestUpNoStartRegistersScheduledJobs: up --no-start still registers the scheduled job") {
  Project p(kScheduled, "e2e-up-no-start-registers-scheduled-jobs");
  auto up = p.run({"up", "--no-start"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(state_of(p, "e2e-up-no-start-registers-scheduled-jobs-web-1") == "created");
  CHECK(eventually_exited(p, "e2e-up-no-start-registers-scheduled-jobs", "backup"));
}

TEST_CASE("TestRunManualJob: run executes a job like a service, dependencies first, unless manual: false") {
  Project p(kManual, "e2e-run-manual-job");
  auto r = p.run({"run", "--rm", "migrate"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("migration done") != std::string::npos);
  CHECK(state_of(p, "e2e-run-manual-job-db-1") == "running");

  auto again = p.run({"run", "--rm", "migrate"});
  INFO(combined(again));
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("migration done") != std::string::npos);

  auto scheduled = p.run({"run", "--rm", "backup"});
  INFO(combined(scheduled));
  CHECK(scheduled.exit_code == 0);
  CHECK(scheduled.out.find("backup") != std::string::npos);

  auto refused = p.run({"run", "--rm", "rotation"});
  INFO(combined(refused));
  CHECK(refused.exit_code != 0);
  CHECK(refused.err.find("job \"rotation\" is declared with manual: false") != std::string::npos);
}

TEST_CASE("TestRunJobEnvFile: a job's env_file feeds its environment through run") {
  Project p(R"(jobs:
  migrate:
    image: busybox:test
    command: sh -c 'echo "DB_URL=$$DB_URL"'
    env_file: db.env
    triggers:
      manual: true
)", "e2e-run-job-env-file");
  mycompose::fs::write_file_atomic(p.dir / "db.env", "DB_URL=postgres://db:5432/app\n");
  auto r = p.run({"run", "--rm", "migrate"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("DB_URL=postgres://db:5432/app") != std::string::npos);
}

TEST_CASE("TestRunJobDependsOnJob: a job depending on a job runs the dependency to completion first") {
  Project p(R"(services:
  db:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
jobs:
  prep:
    image: busybox:test
    command: sh -c 'echo "prep done" > /out/prep'
    volumes: ["@OUT@:/out"]
    triggers:
      manual: true
    depends_on:
      db:
        condition: service_started
  deploy:
    image: busybox:test
    command: sh -c 'cat /out/prep; echo "deploy done"'
    volumes: ["@OUT@:/out"]
    triggers:
      manual: true
    depends_on:
      prep:
        condition: service_completed_successfully
)", "e2e-run-job-depends-on-job");
  auto r = p.run({"run", "--rm", "deploy"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("deploy done") != std::string::npos);
  CHECK(r.out.find("prep done") != std::string::npos);  // prep had finished when deploy ran
  CHECK(state_of(p, "e2e-run-job-depends-on-job-db-1") == "running");
}

TEST_CASE("TestRunJobDependsOnManualFalseJob: run refuses a job that depends on a manual: false job, before creating anything") {
  Project p(R"(services:
  db:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
jobs:
  sensitive:
    image: busybox:test
    command: sh -c 'echo "sensitive ran"'
    triggers:
      manual: false
      schedule:
        - cron: "0 3 * * *"
  deploy:
    image: busybox:test
    command: sh -c 'echo "deploy done"'
    triggers:
      manual: true
    depends_on:
      db:
        condition: service_started
      sensitive:
        condition: service_completed_successfully
)", "e2e-run-job-depends-on-manual-false-job");
  auto r = p.run({"run", "--rm", "deploy"});
  INFO(combined(r));
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("job \"sensitive\" is declared with manual: false, it cannot be triggered even as a dependency") !=
        std::string::npos);
  CHECK(r.out.find("sensitive ran") == std::string::npos);
  CHECK(none_of(p, "db"));
}

TEST_CASE("TestCreateRefusesJob: create refuses a job by name, naming run") {
  Project p(kManual, "e2e-create-refuses-job");
  check_refused_job(p.run({"create", "migrate"}), "migrate");
  CHECK(none_of(p, "migrate"));
}

TEST_CASE("TestUpRefusesJob: up refuses a job by name, naming run") {
  Project p(kManual, "e2e-up-refuses-job");
  check_refused_job(p.run({"up", "-d", "migrate"}), "migrate");
  CHECK(none_of(p, "migrate"));
}

TEST_CASE("TestStartRefusesJob: start refuses a job by name, naming run") {
  Project p(kManual, "e2e-start-refuses-job");
  check_refused_job(p.run({"start", "migrate"}), "migrate");
  CHECK(none_of(p, "migrate"));
}

TEST_CASE("TestStartRefusesJobWithProjectNameEnv: start refuses a job by name with COMPOSE_PROJECT_NAME set") {
  Project p(kManual, "e2e-start-refuses-job-with-project-name-env");
  Cli c = p;
  c.o.env["COMPOSE_PROJECT_NAME"] = "e2e-start-refuses-job-with-project-name-env";
  check_refused_job(c.run({"start", "migrate"}), "migrate");
  CHECK(none_of(p, "migrate"));
}

TEST_CASE("TestStopRefusesJob: stop refuses a job by name, naming run") {
  Project p(kManual, "e2e-stop-refuses-job");
  check_refused_job(p.run({"stop", "migrate"}), "migrate");
  CHECK(none_of(p, "migrate"));
}

TEST_CASE("TestDownRefusesJobWithProjectNameEnv: down refuses a job by name with COMPOSE_PROJECT_NAME set") {
  Project p(kManual, "e2e-down-refuses-job-with-project-name-env");
  Cli c = p;
  c.o.env["COMPOSE_PROJECT_NAME"] = "e2e-down-refuses-job-with-project-name-env";
  check_refused_job(c.run({"down", "migrate"}), "migrate");
  CHECK(none_of(p, "migrate"));
}
