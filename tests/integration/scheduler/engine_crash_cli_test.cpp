// `kill -9` of the engine, at compose level, through the real binary: after `up` the
// containers keep running and the next engine (started on demand by the next command)
// re-adopts them with their DNS names, published ports, healthchecks and restart policies,
// and reports the exit code of a container that exited while no engine ran; during `up`, a
// second `up` finishes the project from whatever the first left. `down -v` then removes
// everything and `system check` finds nothing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>

#include "../../support/free_port.hpp"
#include "cli_project_fixture.hpp"

using namespace store_test;
using nlohmann::json;

namespace {

pid_t engine_pid(const cli_project::Project& p) {
  return static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));
}

// SIGKILL to the engine and wait until it is gone (we are its subreaper: reap it).
void kill_engine(const cli_project::Project& p) {
  const pid_t pid = engine_pid(p);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  for (int i = 0; i < 500; ++i) {
    ::waitpid(pid, nullptr, WNOHANG);
    if (::kill(pid, 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(::kill(pid, 0) != 0);
  REQUIRE_FALSE(mycompose::test::engine_running(p.r.root()));
}

// GET / on 127.0.0.1:port through the host's curl: the body, or "" when nothing answered.
std::string http_get(int port) {
  mycompose::test::RunOptions o;
  o.timeout_seconds = 15;
  auto r = mycompose::test::run({"curl", "-s", "--max-time", "3", "http://127.0.0.1:" + std::to_string(port) + "/"}, o);
  return r.exit_code == 0 ? r.out : "";
}

std::size_t lines_in(const stdfs::path& file) {
  std::error_code ec;
  if (!stdfs::exists(file, ec)) return 0;
  std::string text = mycompose::fs::read_file(file);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The container's init pids from the runtime's own state (no engine asked).
std::map<std::string, pid_t> init_pids(const cli_project::Project& p) {
  std::map<std::string, pid_t> out;
  auto store = p.store();
  for (const auto& c : store.list()) out[c.name] = store.state(c.id).pid;
  return out;
}

}  // namespace

TEST_CASE("engine kill -9 after up: containers survive, the next engine re-adopts DNS, ports, health and restarts, and reports exits") {
  const int port = mycompose::test::free_port();
  cli_project::Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1:)" + std::to_string(port) + R"(:80"]
  db:
    image: busybox:test
    command: ["sh", "-c", "touch /healthy; exec sleep 1000"]
    healthcheck: {test: ["CMD", "cat", "/healthy"], interval: 200ms, retries: 1}
  flaky:
    image: busybox:test
    command: ["sh", "-c", "echo run >> @OUT@/flaky; sleep 1; exit 1"]
    volumes: ["@OUT@:@OUT@"]
    restart: always
  oneshot:
    image: busybox:test
    command: ["sh", "-c", "sleep 2; exit 7"]
)");
  p.ok({"up", "-d", "--wait", "--wait-timeout", "30"});
  const std::string served = http_get(port);  // web's hostname
  REQUIRE_FALSE(served.empty());
  const auto before = init_pids(p);
  const std::size_t flaky_runs = lines_in(p.out / "flaky");

  kill_engine(p);
  // No engine: the containers run on (same init pids), the port is unbound by the engine's
  // proxy (it died with it), and oneshot and flaky exit with nobody watching.
  for (const auto& name : {"proj-web-1", "proj-db-1"}) {
    INFO(name);
    CHECK(::kill(before.at(name), 0) == 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));

  // The next command starts a new engine, which re-adopts everything.
  auto ps = p.ps();
  REQUIRE(ps.size() == 4);
  CHECK(ps["proj-web-1"]["State"] == "running");
  CHECK(ps["proj-db-1"]["State"] == "running");
  CHECK(ps["proj-oneshot-1"]["State"] == "exited");
  CHECK(ps["proj-oneshot-1"]["ExitCode"] == 7);
  CHECK(init_pids(p).at("proj-web-1") == before.at("proj-web-1"));
  CHECK(init_pids(p).at("proj-db-1") == before.at("proj-db-1"));

  // Published port: served again by the new engine.
  std::string body;
  for (int i = 0; i < 100 && body.empty(); ++i) {
    body = http_get(port);
    if (body.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(body == served);
  // DNS: the service names answer inside the project's network again.
  auto lookup = p.run({"exec", "-T", "web", "nslookup", "db"});
  INFO(lookup.out << lookup.err);
  CHECK(lookup.exit_code == 0);
  CHECK(lookup.out.find("Address") != std::string::npos);
  // Restart policy: flaky, which exited while no engine ran, is restarted again.
  const std::size_t after_crash = lines_in(p.out / "flaky");
  std::size_t later = after_crash;
  for (int i = 0; i < 200 && later <= after_crash; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    later = lines_in(p.out / "flaky");
  }
  CHECK(after_crash >= flaky_runs);
  CHECK(later > after_crash);
  // Healthcheck: resumed; db turns unhealthy once its file is gone.
  p.ok({"exec", "-T", "db", "sh", "-c", "rm /healthy"});
  std::string health;
  for (int i = 0; i < 100 && health != "unhealthy"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    health = p.ps()["proj-db-1"].value("Health", "");
  }
  CHECK(health == "unhealthy");
  p.finish();
}

TEST_CASE("engine kill -9 during up: the next up finishes the project, and down removes all of it") {
  cli_project::Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    scale: 12
  other:
    image: busybox:test
    command: ["sleep", "1000"]
    depends_on: [app]
)");
  {
    cli_project::Background up(p, {"up", "-d"}, "first-up");
    // Kill the engine as soon as the first container exists, mid-way through the replicas.
    bool seen = false;
    for (int i = 0; i < 1000 && !seen; ++i) {
      std::error_code ec;
      seen = stdfs::exists(p.r.root() / "containers", ec) && !stdfs::is_empty(p.r.root() / "containers", ec);
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    REQUIRE(seen);
    kill_engine(p);
    INFO(up.err());
    CHECK(up.wait() != 0);  // the CLI saw its engine go away
  }
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  auto ps = p.ps();
  CHECK(ps.size() == 13);
  for (int n = 1; n <= 12; ++n) {
    const std::string name = "proj-app-" + std::to_string(n);
    INFO(name);
    REQUIRE(ps.count(name) == 1);
    CHECK(ps[name]["State"] == "running");
  }
  CHECK(ps["proj-other-1"]["State"] == "running");
  // Every container is on the project's network, including those the first up created.
  auto inspect = json::parse(p.ok({"network", "inspect", "proj_default"}));
  const json& net = inspect.is_array() ? inspect.at(0) : inspect;
  CHECK(net.at("Containers").size() == 13);
  // Only the containers ps lists exist on disk: nothing half-made was left beside them.
  std::size_t folders = 0;
  for (const auto& e : stdfs::directory_iterator(p.r.root() / "containers")) folders += e.is_directory() ? 1 : 0;
  CHECK(folders == 13);
  p.finish();
}
