// depends_on conditions, scale and restart policies through the real binary and engine: the
// dependent starts only once its dependency is healthy (or has completed), an unhealthy or
// failed dependency fails `up` with docker compose's message, scale goes 5 → 2 → 4 keeping
// the lowest numbers, and on-failure:3 stops after three restarts. Each case ends with
// `down -v`, the engine stopped, and `system check` finding nothing.
#include "cli_project_fixture.hpp"

using namespace store_test;

namespace {

// The project fixture, plus the names of its running containers.
struct Project : cli_project::Project {
  using cli_project::Project::Project;
  std::vector<std::string> running() const {
    std::vector<std::string> names;
    for (const auto& c : store().list())
      if (store().state(c.id).status == "running") names.push_back(c.name);
    return names;
  }
};

}  // namespace

TEST_CASE("depends_on: service_healthy starts the dependent only once the dependency is healthy") {
  Project p(R"(services:
  db:
    image: busybox:test
    command: ["sh", "-c", "sleep 1; echo ready > @OUT@/ready; echo > /ready; exec sleep 1000"]
    volumes: ["@OUT@:@OUT@"]
    healthcheck: {test: ["CMD", "cat", "/ready"], interval: 100ms, retries: 50}
  web:
    image: busybox:test
    depends_on: {db: {condition: service_healthy}}
    command: ["sh", "-c", "cat @OUT@/ready > @OUT@/web-saw; exec sleep 1000"]
    volumes: ["@OUT@:@OUT@"]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.err.find("Container proj-db-1  Healthy") != std::string::npos);
  // web's first act was to read the file db writes just before it turns healthy.
  CHECK(wait_for_file(p.out / "web-saw") == "ready\n");
  auto ps = mycompose::fs::read_file(p.r.root() / "containers" / ContainerStore(p.r.root()).find("proj-db-1")->id / "health.json");
  CHECK(ps.find("\"healthy\"") != std::string::npos);
  p.finish();
}

TEST_CASE("depends_on: an unhealthy dependency fails up with compose's message, and the dependent is never created") {
  Project p(R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
    healthcheck: {test: ["CMD", "cat", "/nope"], interval: 100ms, retries: 2}
  web:
    image: busybox:test
    depends_on: {db: {condition: service_healthy}}
    command: ["sleep", "1000"]
)");
  auto up = p.run({"up", "-d"});
  CHECK(up.exit_code == 1);
  CHECK(up.err.find("error: dependency failed to start: container proj-db-1 is unhealthy") != std::string::npos);
  // As docker compose (it creates every container before it starts any): created, not started.
  CHECK(p.wait_state("proj-web-1", "created") == "created");
  p.finish();
}

TEST_CASE("depends_on: service_completed_successfully waits for exit 0, and a failing one stops up") {
  Project p(R"(services:
  init:
    image: busybox:test
    command: ["sh", "-c", "sleep 0.5; echo seeded > @OUT@/seed"]
    volumes: ["@OUT@:@OUT@"]
  app:
    image: busybox:test
    depends_on: {init: {condition: service_completed_successfully}}
    command: ["sh", "-c", "cat @OUT@/seed > @OUT@/app-saw; exec sleep 1000"]
    volumes: ["@OUT@:@OUT@"]
  bad:
    image: busybox:test
    command: ["sh", "-c", "exit 3"]
    profiles: [bad]
  after-bad:
    image: busybox:test
    depends_on: {bad: {condition: service_completed_successfully}}
    command: ["sleep", "1000"]
    profiles: [bad]
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(wait_for_file(p.out / "app-saw") == "seeded\n");

  auto bad = p.run({"--profile", "bad", "up", "-d", "after-bad"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("service \"bad\" didn't complete successfully: exit 3") != std::string::npos);
  CHECK(p.wait_state("proj-after-bad-1", "created") == "created");  // created, never started
  auto down = p.run({"--profile", "bad", "down", "-v"});
  CHECK(down.exit_code == 0);
  p.finish();
}

TEST_CASE("scale: 5 → 2 → 4 keeps the lowest numbers, and an unchanged up keeps every container") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  auto names = [](int n) {
    std::vector<std::string> v;
    for (int i = 1; i <= n; ++i) v.push_back("proj-app-" + std::to_string(i));
    return v;
  };
  REQUIRE(p.run({"up", "-d", "--scale", "app=5"}).exit_code == 0);
  CHECK(p.running() == names(5));
  ContainerStore store(p.r.root());
  const std::string id1 = store.find("proj-app-1")->id;
  REQUIRE(p.run({"up", "-d", "--scale", "app=2"}).exit_code == 0);
  CHECK(p.running() == names(2));
  REQUIRE(p.run({"up", "-d", "--scale", "app=4"}).exit_code == 0);
  CHECK(p.running() == names(4));
  CHECK(store.find("proj-app-1")->id == id1);  // never recreated
  p.finish();
}

TEST_CASE("restart: on-failure:3 restarts a failing container three times, then leaves it stopped") {
  Project p(R"(services:
  flaky:
    image: busybox:test
    command: ["sh", "-c", "echo run >> @OUT@/runs; exit 1"]
    volumes: ["@OUT@:@OUT@"]
    restart: on-failure:3
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  auto runs = [&] {
    std::error_code ec;
    if (!stdfs::exists(p.out / "runs", ec)) return 0;
    auto text = mycompose::fs::read_file(p.out / "runs");
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };
  // Backoff 100, 200, 400 ms: the fourth run comes well within ten seconds.
  for (int i = 0; i < 1000 && runs() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(runs() == 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // past the next backoff (800 ms)
  CHECK(runs() == 4);
  CHECK(p.running().empty());
  p.finish();
}
