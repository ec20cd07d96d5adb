// `mycompose attach SERVICE` through the real binary: output from now on, the exit code,
// --sig-proxy, --index and stdin for stdin_open services.
#include <catch2/catch.hpp>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

// Waits (up to 10 s) until the background command's stdout holds `what`.
bool wait_output(Background& b, const std::string& what) {
  for (int i = 0; i < 200; ++i) {
    if (b.out().find(what) != std::string::npos) return true;
    if (!b.running()) return b.out().find(what) != std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Waits (up to 10 s) for the background command to end; its exit code, -1 if it did not.
int wait_exit(Background& b) {
  for (int i = 0; i < 200 && b.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return b.running() ? -1 : b.exit_code;
}

}  // namespace

TEST_CASE("attach: prints the container's output from now on, raw, and returns its exit code when it stops") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "echo before; while [ ! -e /out/go ]; do echo tick; sleep 0.1; done; echo after-out; echo after-err >&2; exit 7"]
    volumes: ["@OUT@:/out"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  // "before" is in the log before attach starts.
  for (int i = 0; i < 100 && p.run({"logs", "web"}).out.find("before") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Background attach(p, {"attach", "web"}, "attach");
  REQUIRE(wait_output(attach, "tick\n"));  // attached and streaming
  mycompose::fs::write_file_atomic(p.out / "go", "x");
  CHECK(wait_exit(attach) == 7);
  INFO(attach.out() << attach.err());
  CHECK(attach.out().find("after-out\n") != std::string::npos);
  CHECK(attach.out().find("before") == std::string::npos);  // only what came after attach
  CHECK(attach.out().find("web-1") == std::string::npos);   // no log prefix
  CHECK(attach.err().find("after-err\n") != std::string::npos);
  CHECK(attach.err().find("after-out") == std::string::npos);
}

TEST_CASE("attach: SIGTERM to the CLI reaches the container with --sig-proxy (the default)") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "trap 'echo got-term; exit 5' TERM; while true; do echo tick; sleep 0.1; done"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  Background attach(p, {"attach", "web"}, "attach");
  REQUIRE(wait_output(attach, "tick\n"));
  ::kill(attach.pid, SIGTERM);
  CHECK(wait_exit(attach) == 5);
  INFO(attach.out() << attach.err());
  CHECK(attach.out().find("got-term\n") != std::string::npos);
  CHECK(p.wait_state("proj-web-1", "exited") == "exited");
}

TEST_CASE("attach: --sig-proxy=false leaves the container running when the CLI gets SIGTERM, --index picks the replica") {
  Project p(R"(services:
  web:
    image: busybox:test
    scale: 2
    command: ["sh", "-c", "while true; do echo tick-$$(hostname); sleep 0.1; done"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  const std::string second = p.ps()["proj-web-2"]["ID"].get<std::string>().substr(0, 12);
  Background attach(p, {"attach", "--index", "2", "--sig-proxy=false", "web"}, "attach");
  REQUIRE(wait_output(attach, "tick-"));
  ::kill(attach.pid, SIGTERM);
  CHECK(wait_exit(attach) == 128 + SIGTERM);
  INFO(attach.out());
  // Every line came from replica 2 (its hostname is its short id).
  std::istringstream in(attach.out());
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) CHECK(line == "tick-" + second);
  CHECK(p.ps()["proj-web-2"]["State"] == "running");
}

TEST_CASE("attach: with stdin_open a line on attach's stdin reaches the app, across an engine restart and with tty too") {
  Project p(R"(services:
  plain:
    image: busybox:test
    stdin_open: true
    command: ["sh", "-c", "read x; echo got-$$x"]
  term:
    image: busybox:test
    stdin_open: true
    tty: true
    command: ["sh", "-c", "read x; echo got-$$x"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  // The stdin FIFO belongs to the container, not to an engine: a new engine serves it.
  p.stop_engine();
  auto plain = p.run({"attach", "plain"}, "hello\n");
  INFO(plain.err);
  CHECK(plain.exit_code == 0);
  CHECK(plain.out == "got-hello\n");
  auto term = p.run({"attach", "term"}, "there\n");
  INFO(term.err);
  CHECK(term.exit_code == 0);
  CHECK(term.out.find("got-there") != std::string::npos);
}

TEST_CASE("attach: errors name the service") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
  job:
    image: busybox:test
    command: ["sh", "-c", "exit 0"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  auto unknown = p.run({"attach", "nosuch"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no such service: nosuch") != std::string::npos);
  REQUIRE(p.wait_state("proj-job-1", "exited") == "exited");
  auto stopped = p.run({"attach", "job"});
  CHECK(stopped.exit_code == 1);
  CHECK(stopped.err.find("service \"job\" is not running") != std::string::npos);
  auto no_stdin = p.run({"attach", "--no-stdin", "--detach-keys", "ctrl-x", "--index", "3", "web"});
  CHECK(no_stdin.exit_code == 1);
  CHECK(no_stdin.err.find("service \"web\" is not running container #3") != std::string::npos);
}

TEST_CASE("attach: the detach keys of a tty service leave it running, --detach-keys changes them") {
  Project p(R"(services:
  term:
    image: busybox:test
    stdin_open: true
    tty: true
    command: ["sh", "-c", "while true; do echo tick; sleep 0.1; done"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  auto plain = p.run({"attach", "term"}, "\x10\x11");  // ctrl-p ctrl-q
  INFO(plain.err);
  CHECK(plain.exit_code == 0);
  auto custom = p.run({"attach", "--detach-keys", "ctrl-x,a", "term"}, "\x18" "a");
  INFO(custom.err);
  CHECK(custom.exit_code == 0);
  CHECK(p.ps()["proj-term-1"]["State"] == "running");
  auto bad = p.run({"attach", "--detach-keys", "ctrl-1", "term"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("Invalid escape keys (ctrl-1) provided") != std::string::npos);
}
