// docker compose pkg/e2e/compose_run_test.go: the parts of TestLocalComposeRun about orphan
// containers, and run --tty without a terminal to read from (docker's CheckTty, which compose
// run applies). The other TestLocalComposeRun steps are covered by tests/integration.
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
