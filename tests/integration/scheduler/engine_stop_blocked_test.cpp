// Class: an engine that cannot stop. A worker blocked in a long wait (here `stop -t 3600` of
// a container that ignores SIGTERM; a FIFO open did the same) kept `engine stop` from ending
// the process: the socket went, the process and its lock stayed, and every later command
// failed with "another engine (pid N) already runs". Driven through the real CLI.
#include <signal.h>

#include "cli_project_fixture.hpp"
#include "engine_socket.hpp"

using namespace cli_project;

namespace {

// Neither running nor a zombie (the test is the subreaper of the engine: reap it if it is
// ours; not reap_children(), which waits while the stuck CLI is alive).
bool process_gone(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return true;
  std::string stat;
  try {
    stat = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (const std::exception&) {
    return true;
  }
  auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

}  // namespace

TEST_CASE("engine stop ends the engine while a worker is stuck in a project's operation", "[isolation]") {
  Project p(R"(services:
  slow:
    image: busybox:test
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]
)");
  p.ok({"up", "-d"});
  const std::string id = p.store().find("proj-slow-1")->id;
  const pid_t engine = static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));

  Background stop(p, {"stop", "-t", "3600"}, "stop");
  REQUIRE(stop_under_way(p.r.root(), id));

  auto r = p.run({"engine", "stop"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  // A 60 s safety net, far past the engine's grace period: not a timing assertion.
  bool gone = false;
  for (int i = 0; i < 600 && !gone; ++i) {
    gone = process_gone(engine);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(gone);
  CHECK_THAT(mycompose::fs::read_file(p.r.root() / "engine.log"), Catch::Contains("still running after"));

  // Whatever happened, end the wait: the container dies, the stop (if still served) returns.
  ContainerStore(p.r.root()).runtime().kill(id, SIGKILL, true);
  stop.wait();
  // A new engine takes the root at once and sees the container.
  auto ps = p.run({"ps", "-a", "--format", "json"});
  INFO(ps.err);
  CHECK(ps.exit_code == 0);
  CHECK(ps.out.find("proj-slow-1") != std::string::npos);
}
