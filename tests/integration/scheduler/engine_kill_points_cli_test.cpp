// `kill -9` of the engine at every step of making and removing a container: the engine is
// made to SIGKILL itself at a named point (MYCOMPOSE_FAULT, common/fault_point.hpp) and, as
// found in review, 0.1 s into `up`. Whatever instant it dies at, `down -v` by the next engine
// removes everything: `system check` (without --fix) finds no process, cgroup, mount, link,
// runtime folder or temp file.
#include <signal.h>

#include "cli_project_fixture.hpp"

using namespace store_test;

namespace {

const char* const kStack = R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: ["data:/data"]
    networks: [back]
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on: [db]
    scale: 2
    networks: [front, back]
networks:
  front: {}
  back: {}
volumes:
  data: {}
)";

void kill_engine(const cli_project::Project& p) {
  const pid_t pid = static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));
  REQUIRE(::kill(pid, SIGKILL) == 0);
  // Up to 30 s: a killed process in a mount or cgroup call exits only when it returns (seen
  // taking over 5 s on a loaded machine).
  for (int i = 0; i < 3000 && ::kill(pid, 0) == 0; ++i) {
    ::waitpid(pid, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_FALSE(mycompose::test::engine_running(p.r.root()));
}

// The engine the command starts dies at the point.
mycompose::test::RunResult with_fault(const cli_project::Project& p, const std::string& point, std::vector<std::string> args) {
  REQUIRE_FALSE(mycompose::test::engine_running(p.r.root()));
  cli_project::Cli faulty = p;
  faulty.o.env["MYCOMPOSE_FAULT"] = point;
  auto r = faulty.run(std::move(args));
  cli_project::reap_children();
  REQUIRE_FALSE(mycompose::test::engine_running(p.r.root()));  // it did die there
  return r;
}

// down -v by a new engine, then nothing left (no --fix).
void down_leaves_nothing(cli_project::Project& p) {
  auto down = p.run({"down", "-v", "-t", "0"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  p.stop_engine();
  auto check = mycompose::test::system_check(p.r.root());
  INFO("system check after down:\n" << check.out << check.err);
  CHECK(check.exit_code == 0);
  auto ps = p.run({"ps", "-a", "-q"});
  CHECK(ps.out.empty());
  p.stop_engine();
}

}  // namespace

TEST_CASE("engine kill -9 at each step of up: down -v removes everything, system check finds nothing") {
  cli_project::Project p(kStack);
  for (const std::string point : {"network.create", "create.folder", "runtime.state", "runtime.cgroup", "runtime.init",
                                  "create.record", "connect.endpoint", "start"}) {
    for (const std::string nth : {"1", "2"}) {
      INFO("MYCOMPOSE_FAULT=" << point << "@" << nth);
      auto up = with_fault(p, point + "@" + nth, {"up", "-d"});
      CHECK(up.exit_code != 0);
      down_leaves_nothing(p);
    }
  }
  p.finish();
}

TEST_CASE("engine kill -9 during down, as the runtime container is gone: the next down removes the rest") {
  cli_project::Project p(kStack);
  p.ok({"up", "-d"});
  p.stop_engine();
  auto down = with_fault(p, "remove.runtime@2", {"down", "-v", "-t", "0"});
  CHECK(down.exit_code != 0);
  down_leaves_nothing(p);
  p.finish();
}

TEST_CASE("engine kill -9 0.1 s into up: down -v leaves no init, cgroup or runtime folder") {
  cli_project::Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    scale: 5
)");
  for (const int ms : {100, 200, 400}) {
    INFO("killed " << ms << " ms into up");
    p.ok({"ps"});  // the engine runs already, as it would in use
    {
      cli_project::Background up(p, {"up", "-d"}, "up-" + std::to_string(ms));
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      kill_engine(p);
      up.wait();
    }
    down_leaves_nothing(p);
  }
  p.finish();
}
