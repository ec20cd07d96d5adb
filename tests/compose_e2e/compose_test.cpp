// docker compose pkg/e2e/compose_test.go, the parts about project names and output:
// TestLocalComposeUp (ps, top and down by project name), TestDownComposefileInParentFolder,
// TestRm; TestCompatibility (--compatibility names containers project_service_1); and the
// plain, quiet and json progress output docker compose prints when stderr is not a terminal
// or --progress asks; TestInitContainer; the compose file and profiles chosen by .env,
// --project-directory and --env-file (TestComposeFileSetBy*), and TestNestedDotEnv. Left out:
// the sentences images and `images` (a registry), TestConfig and TestConfigInterpolate (build
// contexts rendered by `config`: config_test.cpp's ground), TestAttachRestart (restarts a
// failing container for minutes; restart_test.cpp covers restart policies).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kSentences = R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
  words:
    image: busybox:test
    command: ["sleep", "1001"]
    depends_on: [db]
  web:
    image: busybox:test
    command: ["sleep", "1002"]
    depends_on: [words]
    labels: {my-label: test}
)";

}  // namespace

TEST_CASE("TestLocalComposeUp: ps, top and down SERVICE by project name") {
  const std::string name = "compose-e2e-demo";
  Project p(kSentences, name);
  Cli bare = elsewhere(p);
  p.ok({"--project-name", name, "up", "-d"});

  // check accessing running app
  CHECK(bare.ok({"-p", name, "ps"}).find("web") != std::string::npos);
  CHECK(bare.ok({"network", "ls"}).find(name + "_default") != std::string::npos);

  // top
  const std::string top = bare.ok({"-p", name, "top"});
  for (const char* h : {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}) CHECK(top.find(h) != std::string::npos);
  CHECK(top.find("sleep 1001") != std::string::npos);
  CHECK(top.find("sleep 1002") != std::string::npos);

  // down SERVICE
  auto down_web = bare.run({"--project-name", name, "down", "web"});
  INFO(combined(down_web));
  CHECK(down_web.exit_code == 0);
  std::string ps = bare.ok({"--project-name", name, "ps"});
  CHECK(ps.find(name + "-web-1") == std::string::npos);
  CHECK(ps.find(name + "-db-1") != std::string::npos);

  // down, then no container and no network of the project
  bare.ok({"--project-name", name, "down"});
  CHECK(p.store().list().empty());
  CHECK(bare.ok({"network", "ls"}).find(name) == std::string::npos);
}

TEST_CASE("TestDownComposefileInParentFolder: down by the name up gave the project") {
  Project p(kSimpleComposefile, "fixture");
  const stdfs::path tmp = p.dir / "test-tmp";  // upstream: a temp folder below the file's
  stdfs::create_directories(tmp);
  auto up = p.run({"--project-directory", tmp.string(), "up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.err.find("Started") != std::string::npos);
  auto down = p.run({"-p", "test-tmp", "down"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK(down.err.find("Removed") != std::string::npos);
  CHECK(p.store().list().empty());
}

TEST_CASE("TestRm: rm --stop --force of one service, then of all") {
  const std::string name = "compose-e2e-rm";
  Project p(kSimpleComposefile, name);
  p.ok({"-p", name, "up", "-d"});
  auto rm = p.run({"-p", name, "rm", "--stop", "--force", "simple"});
  INFO(combined(rm));
  CHECK(rm.exit_code == 0);
  CHECK(rm.err.find("Removed") != std::string::npos);
  auto ps = p.ps();
  CHECK(ps.count(name + "-simple-1") == 0);
  CHECK(ps.count(name + "-another-1") == 1);

  p.ok({"-p", name, "up", "-d"});
  CHECK(p.run({"-p", name, "rm", "--stop", "--force"}).exit_code == 0);
  CHECK(p.ps().empty());
  elsewhere(p).ok({"-p", name, "down"});
}

TEST_CASE("TestLocalComposeUp: progress as docker compose prints it: plain lines off a terminal, --progress quiet and json") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  // Not a terminal: docker compose's plain writer, every event, no symbols or escapes.
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.err ==
        " Network proj_default  Creating\n"
        " Network proj_default  Created\n"
        " Container proj-web-1  Creating\n"
        " Container proj-web-1  Created\n"
        " Container proj-web-1  Starting\n"
        " Container proj-web-1  Started\n");
  CHECK(p.run({"--progress", "plain", "up", "-d"}).err == " Container proj-web-1  Running\n");
  CHECK(p.run({"--ansi", "never", "stop"}).err == " Container proj-web-1  Stopping\n Container proj-web-1  Stopped\n");
  // quiet: nothing at all; also from COMPOSE_PROGRESS.
  auto quiet = p.run({"--progress", "quiet", "start"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  Cli env = p;
  env.o.env["COMPOSE_PROGRESS"] = "quiet";
  auto env_quiet = env.run({"restart"});
  CHECK(env_quiet.exit_code == 0);
  CHECK(env_quiet.err.empty());
  // json: an object per event.
  auto json = p.run({"--progress", "json", "stop"});
  CHECK(json.err == "{\"id\":\"Container proj-web-1\",\"status\":\"Stopping\"}\n{\"id\":\"Container proj-web-1\",\"status\":\"Stopped\"}\n");
  // What docker compose refuses, in its words.
  auto tty_never = p.run({"--progress", "tty", "--ansi", "never", "ps"});
  CHECK(tty_never.exit_code == 1);
  CHECK(tty_never.err.find("can't use --progress tty while ANSI support is disabled") != std::string::npos);
  auto bad = p.run({"--progress", "fancy", "ps"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("unsupported --progress value \"fancy\"") != std::string::npos);
  // --verbose is docker compose's too.
  CHECK(p.run({"up", "--verbose", "-d"}).exit_code == 0);
}

// up/run/down around dependencies, orphans and unused resources (compose_test.go).

TEST_CASE("TestStopWithDependenciesAttached: up --attach-dependencies SERVICE returns once the service exits") {
  Project p(R"(services:
  foo:
    image: busybox:test
    command: ["echo", "hello"]
    depends_on:
      - bar
  bar:
    image: busybox:test
    command: ["sleep", "1000"]
    scale: 2
)", "e2e-stop-with-deps");
  auto r = p.run({"up", "--attach-dependencies", "foo", "--menu=false"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("exited with code 0") != std::string::npos);
  // The dependencies it did not stop are still there for down to take.
  CHECK(p.wait_state("e2e-stop-with-deps-bar-1", "running") == "running");
}

TEST_CASE("TestRemoveOrphaned: down --remove-orphans SERVICE leaves the other services alone") {
  Project p(kSentences, "e2e-remove-orphaned");
  p.ok({"up", "-d"});
  p.ok({"down", "--remove-orphans", "web"});
  auto ps = p.run({"ps", "--format", "{{.Name}}"});
  CHECK(ps.out.find("e2e-remove-orphaned-words-1") != std::string::npos);
  CHECK(ps.out.find("e2e-remove-orphaned-web-1") == std::string::npos);
}

TEST_CASE("TestRemoveOrphaned: down --remove-orphans SERVICE takes the orphans too") {
  Project p(kSentences, "e2e-remove-orphaned-too");
  p.ok({"up", "-d"});
  mycompose::fs::write_file_atomic(p.dir / "other.yaml", "services:\n  stray:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  p.ok({"-f", "other.yaml", "up", "-d"});
  p.ok({"down", "--remove-orphans", "web"});
  auto all = p.ps();
  CHECK(all.count("e2e-remove-orphaned-too-stray-1") == 0);
  CHECK(all.count("e2e-remove-orphaned-too-words-1") == 1);
}

TEST_CASE("TestUnnecessaryResources: a missing external network fails up only for the services that use it") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
  other:
    image: busybox:test
    command: ["sleep", "1000"]
    networks:
      test_network:
        ipv4_address: 8.8.8.8
networks:
  test_network:
    external: true
    name: foo_bar
)", "e2e-unnecessary-resources");
  auto all = p.run({"up", "-d"});
  CHECK(all.exit_code == 1);
  CHECK(all.err.find("network foo_bar declared as external, but could not be found") != std::string::npos);
  auto one = p.run({"up", "-d", "test"});
  INFO(combined(one));
  CHECK(one.exit_code == 0);
}

TEST_CASE("TestCompatibility: --compatibility names the containers with '_' (project_service_1)") {
  const std::string name = "compose-e2e-compatibility";
  Project p(kSentences, name);
  auto up = p.run({"--compatibility", "--project-name", name, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  const auto all = p.ps();
  for (const char* service : {"web", "words", "db"}) {
    INFO(service);
    CHECK(all.count(name + "_" + service + "_1") == 1);
    CHECK(all.count(name + "-" + service + "-1") == 0);
  }
  elsewhere(p).ok({"-p", name, "down"});
}

TEST_CASE("TestCompatibility: a one-off `run` container is named with '_' too (project_service_run_slug)") {
  const std::string name = "compose-e2e-compat-run";
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
)", name);
  auto run = p.run({"--compatibility", "run", "-d", "web"});
  INFO(combined(run));
  REQUIRE(run.exit_code == 0);
  const auto all = p.ps();
  REQUIRE(all.size() == 1);
  const std::string got = all.begin()->first;
  const std::string prefix = name + "_web_run_";
  CHECK(got.rfind(prefix, 0) == 0);
  CHECK(got.size() == prefix.size() + 12);  // the slug's 12 hex digits
  p.ok({"--compatibility", "down", "-t", "0"});
}

TEST_CASE("TestInitContainer: a service_completed_successfully dependency runs to completion before its dependent") {
  Project p(R"(services:
  foo:
    image: busybox:test
    command: "echo hello"
  bar:
    image: busybox:test
    command: "echo world"
    depends_on:
      foo:
        condition: "service_completed_successfully"
)", "init-container");
  auto r = p.run({"--ansi=never", "up", "--menu=false"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(matches(r.out, "foo-1  \\| hello[\\s\\S]*bar-1  \\| world"));
}

namespace {

// upstream's fixtures/dotenv: the .env names the compose file (in development/), its variables
// and the profile to enable.
void write_dotenv_fixture(const Project& p) {
  stdfs::create_directories(p.dir / "development");
  mycompose::fs::write_file_atomic(p.dir / ".env",
                                   "COMPOSE_FILE=./development/compose.yaml\nIMAGE_NAME=test\nIMAGE_TAG=latest\nCOMPOSE_PROFILES=test\n");
  mycompose::fs::write_file_atomic(p.dir / "development" / "compose.yaml", R"(services:
  backend:
    image: ${IMAGE_NAME:-backend}:${IMAGE_TAG:-latest}
  test:
    profiles: [test]
    image: enabled:profile
)");
  stdfs::remove(p.dir / "compose.yaml");
}

}  // namespace

TEST_CASE("TestComposeFileSetByDotEnv: COMPOSE_FILE, variables and COMPOSE_PROFILES come from .env") {
  Project p("services: {}\n", "dotenv");
  write_dotenv_fixture(p);
  auto r = p.run({"config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("image: test:latest") != std::string::npos);
  CHECK(r.out.find("image: enabled:profile") != std::string::npos);
}

TEST_CASE("TestComposeFileSetByProjectDirectory: --project-directory finds the compose file there, not the .env above it") {
  Project p("services: {}\n", "dotenv");
  write_dotenv_fixture(p);
  Cli c = elsewhere(p);
  auto r = c.run({"--project-directory", (p.dir / "development").string(), "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("image: backend:latest") != std::string::npos);
}

TEST_CASE("TestComposeFileSetByEnvFile: --env-file names the compose file, its variables and profiles") {
  Project p("services: {}\n", "dotenv");
  write_dotenv_fixture(p);
  stdfs::remove(p.dir / ".env");
  const stdfs::path env = p.r.dir / "env-file";
  mycompose::fs::write_file_atomic(env, "\nCOMPOSE_FILE=dotenv/development/compose.yaml\nIMAGE_NAME=test\nIMAGE_TAG=latest\nCOMPOSE_PROFILES=test\n");
  Cli c(p.r.root(), p.r.dir);  // upstream runs from the folder COMPOSE_FILE is relative to
  auto r = c.run({"--env-file", env.string(), "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("image: test:latest") != std::string::npos);
  CHECK(r.out.find("image: enabled:profile") != std::string::npos);
}

TEST_CASE("TestNestedDotEnv: run from a subfolder reads the project's .env and the subfolder's, the subfolder's winning") {
  Project p(R"(services:
  echo:
    image: busybox:test
    command: echo $ROOT $SUB win=$WIN
)", "nested");
  mycompose::fs::write_file_atomic(p.dir / ".env", "ROOT=root\nWIN=root");
  stdfs::create_directories(p.dir / "sub");
  mycompose::fs::write_file_atomic(p.dir / "sub" / ".env", "SUB=sub\nWIN=sub\n");
  auto root = p.run({"run", "echo"});
  INFO(combined(root));
  CHECK(root.exit_code == 0);
  CHECK(root.out.find("root win=root") != std::string::npos);
  Cli sub(p.r.root(), p.dir / "sub");
  auto in_sub = sub.run({"run", "echo"});
  INFO(combined(in_sub));
  CHECK(in_sub.exit_code == 0);
  CHECK(in_sub.out.find("root sub win=sub") != std::string::npos);
}
