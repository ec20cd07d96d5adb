// A service with `tty: true`: its process gets a terminal (stdout and stderr are one pty,
// TERM=xterm), its output reaches `logs` with the terminal's CR LF line ends as with Docker,
// and since the container's init keeps the terminal (no engine holds it), the output goes
// on across an engine killed with SIGKILL.
#include <signal.h>

#include <regex>

#include "cli_project_fixture.hpp"

namespace {

// The highest tick-N in the logs, -1 when none.
int last_tick(const std::string& logs) {
  int last = -1;
  static const std::regex tick("tick-([0-9]+)");
  for (auto it = std::sregex_iterator(logs.begin(), logs.end(), tick); it != std::sregex_iterator(); ++it)
    last = std::max(last, std::stoi((*it)[1]));
  return last;
}

}  // namespace

TEST_CASE("tty: true gives the service a terminal, and its output survives the engine's kill -9") {
  cli_project::Project p(R"(services:
  term:
    image: busybox:test
    tty: true
    command: ["sh", "-c", "if [ -t 1 ] && [ -t 2 ]; then echo stdout-is-a-tty; fi; echo TERM=$$TERM; echo to-stderr >&2; i=0; while true; do echo tick-$$i; i=$$((i+1)); sleep 0.1; done"]
)");
  p.ok({"up", "-d"});
  std::string logs;
  for (int i = 0; i < 100 && last_tick(logs) < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    logs = p.ok({"logs", "--no-log-prefix"});
  }
  INFO(logs);
  CHECK(logs.find("stdout-is-a-tty\r\n") != std::string::npos);
  CHECK(logs.find("TERM=xterm\r\n") != std::string::npos);
  CHECK(logs.find("to-stderr\r\n") != std::string::npos);
  REQUIRE(last_tick(logs) >= 3);

  const pid_t engine = static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));
  REQUIRE(::kill(engine, SIGKILL) == 0);
  for (int i = 0; i < 500 && ::kill(engine, 0) == 0; ++i) {
    ::waitpid(engine, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int before = last_tick(logs);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // A new engine (started by this command) reads on: ticks made with no engine and after.
  int after = before;
  for (int i = 0; i < 100 && after < before + 10; ++i) {
    logs = p.ok({"logs", "--no-log-prefix"});
    after = last_tick(logs);
    if (after < before + 10) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(logs);
  CHECK(after >= before + 10);
  CHECK(p.ps()["proj-term-1"]["State"] == "running");
  p.finish();
}
