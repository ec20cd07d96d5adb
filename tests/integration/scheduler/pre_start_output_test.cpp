// A pre_start runner's output reaches a foreground `up` while the runner runs, as docker
// compose streams it (pkg/compose/pre_start.go attaches to the runner), not once it ended.
#include <fstream>
#include <thread>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

bool eventually(const Background& b, const std::string& text) {
  for (int i = 0; i < 400; ++i) {  // 20 s
    if (b.out().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("pre_start output: a runner's first line shows in foreground up before the runner ends") {
  // The hook prints `first`, then waits (60 s at most) for the test to open its gate.
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1"]
    pre_start:
      - command: ["sh", "-c", "echo first; i=0; while [ ! -e /gate/open ] && [ $$i -lt 600 ]; do sleep 0.1; i=$$((i+1)); done; echo second"]
        volumes:
          - ./gate:/gate
)");
  stdfs::create_directories(p.dir / "gate");
  Background up(p, {"up", "--menu=false", "web"}, "up");
  const bool first = eventually(up, "web pre_start[0] ->  | first");
  const std::string seen = up.out();
  std::ofstream(p.dir / "gate/open") << "1";
  CHECK(first);
  CHECK(seen.find("| second") == std::string::npos);
  CHECK(up.wait() == 0);
  INFO(up.out() << up.err());
  CHECK(up.out().find("web pre_start[0] ->  | second") != std::string::npos);
}
