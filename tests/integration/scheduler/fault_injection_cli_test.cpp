// Fault injection: up/down cycles of a small stack (a healthcheck, two networks, a volume,
// scale 3) with the engine killed -9 at a random moment of `up` in every other cycle, beside
// an unrelated project on the same engine. After every cycle `down -v` passes and `down`
// plus `system check --fix` leave nothing; at the end the unrelated project still runs the
// same containers. (bench/soak.sh runs the same for 1,000 cycles and prints the figures.)
#include <signal.h>

#include <random>

#include "cli_project_fixture.hpp"

using namespace store_test;

namespace {

const char* const kStack = R"(services:
  db:
    image: busybox:test
    command: ["sh", "-c", "touch /ready; exec sleep 1000"]
    healthcheck: {test: ["CMD", "cat", "/ready"], interval: 200ms, retries: 20}
    networks: [back]
    volumes: ["data:/data"]
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on: {db: {condition: service_healthy}}
    networks: [front, back]
    scale: 3
networks: {front: {}, back: {}}
volumes: {data: {}}
)";

void kill_engine_if_running(const cli_project::Project& p) {
  pid_t pid = 0;
  try {
    pid = static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));
  } catch (const std::exception&) {
    return;
  }
  if (pid <= 0 || ::kill(pid, SIGKILL) != 0) return;
  for (int i = 0; i < 500 && ::kill(pid, 0) == 0; ++i) {
    ::waitpid(pid, nullptr, WNOHANG);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ids(const cli_project::Cli& c) {
  auto r = c.run({"ps", "-q"});
  return r.exit_code == 0 ? r.out : "ps failed: " + r.err;
}

}  // namespace

TEST_CASE("fault injection: up/down cycles with the engine killed -9 at random moments leave nothing, and another project runs on") {
  cli_project::Project p(kStack, "stack");
  const auto other_dir = p.r.dir / "other";
  stdfs::create_directories(other_dir);
  mycompose::fs::write_file_atomic(other_dir / "compose.yaml", R"(services:
  keep:
    image: busybox:test
    command: ["sleep", "100000"]
    healthcheck: {test: ["CMD", "cat", "/etc/hostname"], interval: 500ms}
    scale: 2
)");
  cli_project::Cli other(p.r.root(), other_dir);
  other.ok({"up", "-d", "--wait", "--wait-timeout", "30"});
  const std::string before = ids(other);
  REQUIRE_FALSE(before.empty());

  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> moment_ms(0, 1500);
  constexpr int kCycles = 16;
  int leaks_left_by_down = 0;
  for (int cycle = 1; cycle <= kCycles; ++cycle) {
    const bool kill = cycle % 2 == 0;
    const int ms = moment_ms(rng);
    INFO("seed " << seed << ", cycle " << cycle << (kill ? ", engine killed " + std::to_string(ms) + " ms into up" : ""));
    if (kill) {
      cli_project::Background up(p, {"up", "-d"}, "up-" + std::to_string(cycle));
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      kill_engine_if_running(p);
      up.wait();
      cli_project::reap_children();
    } else {
      p.ok({"up", "-d"});
    }
    auto down = p.run({"down", "-v", "-t", "0"});
    INFO(down.err);
    REQUIRE(down.exit_code == 0);
    auto check = mycompose::test::system_check(p.r.root());
    if (check.exit_code != 0) {
      ++leaks_left_by_down;
      WARN("left by down -v:\n" << check.out);
    }
    auto fix = mycompose::test::system_check(p.r.root(), true);
    INFO("system check --fix:\n" << fix.out << fix.err);
    REQUIRE(fix.exit_code == 0);
  }
  CHECK(leaks_left_by_down == 0);

  // The unrelated project: the same containers, running, and served by the last engine.
  CHECK(ids(other) == before);
  auto ps = other.run({"ps", "--format", "json"});
  CHECK(ps.exit_code == 0);
  CHECK(ps.out.find("\"exited\"") == std::string::npos);
  auto exec = other.run({"exec", "-T", "keep", "echo", "ok"});
  INFO(exec.err);
  CHECK(exec.exit_code == 0);
  other.ok({"down", "-v", "-t", "0"});
  p.finish();
}
