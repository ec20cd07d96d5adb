// docker compose pkg/e2e/compose_run_test.go: the parts of TestLocalComposeRun about orphan
// containers, and run --tty without a terminal to read from (docker's CheckTty, which compose
// run applies); run's --rm, --publish, --service-ports, and which dependencies run starts
// (with and without --no-deps). Left out: --quiet-pull (a registry) and the one-off's labels
// through `docker inspect` (we have none; ps shows the one-off's name).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kRunTest = R"(services:
  back:
    image: busybox:test
    command: ["echo", "Hello there!!"]
)";

}  // namespace

TEST_CASE("TestLocalComposeRun: compose run orphan") {
  Project p(kRunTest, "run-test");
  mycompose::fs::write_file_atomic(p.dir / "orphan.yaml", "services:\n  simple:\n    image: busybox:test\n    command: [\"sh\", \"-c\", \"true\"]\n");
  auto first = p.run({"run", "-T", "back"});
  CHECK(first.exit_code == 0);
  CHECK(combined(first).find("orphan") == std::string::npos);

  p.ok({"-f", "orphan.yaml", "run", "-T", "simple"});
  auto warned = p.run({"run", "-T", "back", "echo", "Hello"});
  INFO(combined(warned));
  CHECK(warned.exit_code == 0);
  CHECK(matches(warned.err, "Found orphan containers \\(\\[run-test[-_]simple[-_]run[-_][0-9a-f]+\\]\\) for this project"));

  Cli ignoring = p;
  ignoring.o.env["COMPOSE_IGNORE_ORPHANS"] = "True";
  auto quiet = ignoring.run({"run", "-T", "back", "echo", "Hello"});
  CHECK(quiet.exit_code == 0);
  CHECK(combined(quiet).find("orphan") == std::string::npos);
  p.ok({"down", "--remove-orphans"});
}

TEST_CASE("TestLocalComposeRun: run --tty with piped stdin is refused") {
  Project p(kRunTest, "run-tty");
  auto r = p.run({"run", "--tty", "back"}, "piped\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("the input device is not a TTY") != std::string::npos);
  auto both = p.run({"run", "--tty", "-T", "back"});
  CHECK(both.exit_code == 1);
  CHECK(both.err.find("--tty and --no-TTY can't be used together") != std::string::npos);
}

namespace {

// Two files of one project: orphan.yaml's service `simple` is an orphan for compose.yaml.
void add_orphan(const Project& p) {
  mycompose::fs::write_file_atomic(p.dir / "orphan.yaml",
                                   "services:\n  simple:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  p.ok({"-f", "orphan.yaml", "up", "-d"});
}

std::size_t containers_of(const Project& p, const std::string& service) {
  std::size_t n = 0;
  for (const auto& [name, c] : p.ps()) n += c["Service"] == service;
  return n;
}

}  // namespace

TEST_CASE("TestLocalComposeRun: run --remove-orphans removes the orphan containers, not only the warning") {
  Project p(kRunTest, "run-remove-orphans");
  add_orphan(p);
  REQUIRE(containers_of(p, "simple") == 1);
  auto r = p.run({"run", "--rm", "-T", "--remove-orphans", "back"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(combined(r).find("Found orphan containers") == std::string::npos);
  CHECK(containers_of(p, "simple") == 0);
}

TEST_CASE("TestLocalComposeRun: COMPOSE_IGNORE_ORPHANS from .env keeps run --remove-orphans from removing them") {
  Project p(kRunTest, "run-ignore-orphans");
  add_orphan(p);
  mycompose::fs::write_file_atomic(p.dir / ".env", "COMPOSE_IGNORE_ORPHANS=true\n");
  auto r = p.run({"run", "--rm", "-T", "--remove-orphans", "back"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(combined(r).find("Found orphan") == std::string::npos);
  CHECK(containers_of(p, "simple") == 1);
  p.ok({"-f", "orphan.yaml", "down", "-t", "0"});
}

TEST_CASE("COMPOSE_IGNORE_ORPHANS: up neither warns about orphans nor removes them, from the environment or .env") {
  Project p(kRunTest, "up-ignore-orphans");
  add_orphan(p);
  auto warned = p.run({"up", "-d"});
  INFO(combined(warned));
  CHECK(warned.err.find("Found orphan containers ([up-ignore-orphans-simple-1])") != std::string::npos);

  Cli ignoring = p;
  ignoring.o.env["COMPOSE_IGNORE_ORPHANS"] = "true";
  auto quiet = ignoring.run({"up", "-d"});
  INFO(combined(quiet));
  CHECK(quiet.exit_code == 0);
  CHECK(combined(quiet).find("Found orphan") == std::string::npos);

  mycompose::fs::write_file_atomic(p.dir / ".env", "COMPOSE_IGNORE_ORPHANS=true\n");
  auto from_file = p.run({"up", "-d"});
  INFO(combined(from_file));
  CHECK(from_file.exit_code == 0);
  CHECK(combined(from_file).find("Found orphan") == std::string::npos);
  // As docker compose: not with --remove-orphans (nor COMPOSE_REMOVE_ORPHANS).
  auto both = p.run({"up", "-d", "--remove-orphans"});
  CHECK(both.exit_code == 1);
  CHECK(both.err.find("cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans") != std::string::npos);
  CHECK(containers_of(p, "simple") == 1);

  // COMPOSE_REMOVE_ORPHANS (here from .env) removes them once they are no longer ignored.
  mycompose::fs::write_file_atomic(p.dir / ".env", "COMPOSE_REMOVE_ORPHANS=true\n");
  auto removed = p.run({"up", "-d"});
  INFO(combined(removed));
  CHECK(removed.exit_code == 0);
  CHECK(containers_of(p, "simple") == 0);
}

TEST_CASE("TestLocalComposeRun: compose run prints the service's output last, --rm leaves no one-off") {
  Project p(R"(services:
  back:
    image: busybox:test
    command: ["echo", "Hello there!!"]
    depends_on: [db]
  db:
    image: busybox:test
    command: ["sleep", "1000"]
)", "run-test");
  auto r = p.run({"run", "back"});
  INFO(combined(r));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.ends_with("Hello there!!\n"));
  auto again = p.run({"run", "back", "echo", "Hello one more time"});
  CHECK(again.out.ends_with("Hello one more time\n"));
  // the one-offs are kept, exited, named project-service-run-slug; db runs
  auto ps = p.ps();
  int one_offs = 0;
  for (const auto& [name, j] : ps)
    if (name.rfind("run-test-back-run-", 0) == 0) {
      ++one_offs;
      CHECK(j["State"] == "exited");
    }
  CHECK(one_offs == 2);
  CHECK(p.wait_state("run-test-db-1", "running") == "running");
  auto rm = p.run({"run", "--rm", "back", "echo", "Hello again"});
  CHECK(rm.out.ends_with("Hello again\n"));
  CHECK(p.ps().size() == ps.size());
  p.ok({"down", "--remove-orphans", "-t", "0"});
  CHECK(p.ps().empty());
}

TEST_CASE("TestLocalComposeRun: run --publish publishes what it is given, --service-ports the service's ports") {
  Project p(R"(services:
  back:
    image: busybox:test
    ports: ["8082:80"]
)", "run-test-ports");
  p.ok({"run", "--publish", "8081:80", "-d", "back", "/bin/sh", "-c", "sleep 30"});
  std::string ps = p.ok({"ps"});
  CHECK(ps.find("8081->80/tcp") != std::string::npos);
  CHECK(ps.find("8082->80/tcp") == std::string::npos);
  p.ok({"run", "--service-ports", "-d", "back", "/bin/sh", "-c", "sleep 30"});
  ps = p.ok({"ps"});
  CHECK(ps.find("8082->80/tcp") != std::string::npos);
  p.ok({"down", "--remove-orphans", "-t", "0"});
}

namespace {

// upstream's fixtures/run-test/deps.yaml
const char* kDeps = R"(services:
  service_a:
    image: busybox:test
    command: echo "a"
    depends_on: [shared_dep]
  service_b:
    image: busybox:test
    command: echo "b"
    depends_on: [shared_dep]
  shared_dep:
    image: busybox:test
    command: ["sleep", "1000"]
)";

}  // namespace

TEST_CASE("TestLocalComposeRun: run starts only the service's dependencies, not the other services") {
  Project p(kDeps, "run-test-deps");
  p.ok({"up", "service_b", "--menu=false"});
  auto r = p.run({"run", "service_a"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(combined(r).find("shared_dep") != std::string::npos);
  CHECK(combined(r).find("service_b") == std::string::npos);
  p.ok({"down", "--remove-orphans", "-t", "0"});
}

TEST_CASE("TestLocalComposeRun: run --no-deps starts no dependency") {
  Project p(kDeps, "run-test-no-deps");
  auto r = p.run({"run", "--no-deps", "service_a"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(combined(r).find("shared_dep") == std::string::npos);
  CHECK(combined(r).find("service_b") == std::string::npos);
  p.ok({"down", "--remove-orphans", "-t", "0"});
}

// Not asserted upstream: run resolves a bare -e NAME as exec does, from the project's
// environment (pkg/compose/run.go applyRunOptions: project.Environment), so .env and
// --env-file give it a value.
TEST_CASE("TestLocalComposeRun: run -e FOO takes FOO from .env or --env-file") {
  Project p("services:\n  one:\n    image: busybox:test\n", "compose-e2e-run-env");
  mycompose::fs::write_file_atomic(p.dir / ".env", "FOO=from-dotenv\n");
  mycompose::fs::write_file_atomic(p.dir / "other.env", "FOO=from-env-file\n");
  Cli c = p;
  c.o.unset_env.push_back("FOO");
  auto dotenv = c.run({"run", "--rm", "-e", "FOO", "one", "busybox", "env"});
  INFO(dotenv.out << dotenv.err);
  CHECK(dotenv.exit_code == 0);
  CHECK(dotenv.out.find("FOO=from-dotenv") != std::string::npos);
  auto env_file = c.run({"--env-file", "other.env", "run", "--rm", "-e", "FOO", "one", "busybox", "env"});
  INFO(env_file.out << env_file.err);
  CHECK(env_file.exit_code == 0);
  CHECK(env_file.out.find("FOO=from-env-file") != std::string::npos);
}
