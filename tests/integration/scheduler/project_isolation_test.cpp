// Class: head-of-line blocking between projects in the engine. Long operations and
// read-only queries shared libuv's four pool threads: four `stop -t 20` of containers that
// ignore SIGTERM made `ps` of an unrelated project wait 18 s. Driven through the real CLI.
#include <signal.h>

#include "cli_project_fixture.hpp"
#include "engine_socket.hpp"

using namespace cli_project;

namespace {

// A container that ignores SIGTERM: `stop -t N` waits the whole N seconds for it.
const char* const kStubborn = R"(services:
  slow:
    image: busybox:test
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]
)";

// The stubborn projects, taken down however the test ends (it fails on an engine that makes
// ps wait, and their networks must not outlive it).
struct Stubborn {
  stdfs::path root;
  std::vector<Cli> clis;
  std::vector<std::string> ids;
  ~Stubborn() {
    ContainerStore store(root);
    for (const auto& id : ids) {
      try {
        store.runtime().kill(id, SIGKILL, true);
      } catch (const std::exception&) {  // already stopped
      }
    }
    for (auto& c : clis) c.run({"down", "-t", "0"});
  }
};

}  // namespace

TEST_CASE("ps and ls of a project answer while four other projects' stops wait on containers that ignore SIGTERM", "[isolation]") {
  Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n", "calm");
  p.ok({"up", "-d"});

  // Four stubborn projects on the same engine, one stop each: more than libuv's pool had.
  Stubborn stubborn{p.r.root(), {}, {}};
  auto& ids = stubborn.ids;
  for (int i = 0; i < 4; ++i) {
    const stdfs::path dir = p.r.dir / ("stubborn" + std::to_string(i));
    stdfs::create_directories(dir);
    mycompose::fs::write_file_atomic(dir / "compose.yaml", kStubborn);
    stubborn.clis.emplace_back(p.r.root(), dir);
    stubborn.clis.back().ok({"up", "-d"});
    ids.push_back(p.store().find("stubborn" + std::to_string(i) + "-slow-1")->id);
  }
  std::vector<std::unique_ptr<Background>> stops;
  for (int i = 0; i < 4; ++i) {
    // Background runs in p's folder: `-p` and `-f` name the stubborn project instead.
    const stdfs::path dir = p.r.dir / ("stubborn" + std::to_string(i));
    stops.push_back(std::make_unique<Background>(
        p, std::vector<std::string>{"-f", (dir / "compose.yaml").string(), "-p", "stubborn" + std::to_string(i), "stop", "-t", "20"},
        "stop" + std::to_string(i)));
  }
  for (const auto& id : ids) REQUIRE(stop_under_way(p.r.root(), id));

  // The unrelated project's read-only commands return while every stop is still waiting.
  auto ps = p.run({"ps", "--format", "json"});
  INFO(ps.err);
  CHECK(ps.exit_code == 0);
  CHECK(ps.out.find("calm-web-1") != std::string::npos);
  for (auto& s : stops) CHECK(s->running());
  auto ls = p.run({"ls"});
  CHECK(ls.exit_code == 0);
  for (auto& s : stops) CHECK(s->running());

  // End the grace periods from here, as the engine would after 20 s.
  ContainerStore store(p.r.root());
  for (const auto& id : ids) {
    if (store.runtime().state(id).status == "running") store.runtime().kill(id, SIGKILL, true);
  }
  for (auto& s : stops) {
    INFO(s->err());
    CHECK(s->wait() == 0);
  }
}
