// Healthchecks of a real busybox container, run by an in-process engine: the probes are
// `mycompose runtime exec` processes reaped through the engine's own SIGCHLD handler.
#include <sys/prctl.h>

#include <optional>

#include "../scheduler/store_fixture.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/health/monitor.hpp"

using namespace store_test;
using namespace mycompose::health;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A running container from the busybox image ("sleep 1000") and an engine on the same root
// with a HealthMonitor. The engine stops (and the monitor closes) before the Root removes the
// container and the folder.
struct Stack {
  Root root;
  ContainerStore store{root.root()};
  mycompose::scheduler::ContainerRecord rec;
  std::unique_ptr<mycompose::daemon::Engine> engine;
  std::unique_ptr<HealthMonitor> monitor;
  std::vector<json> events;
  mycompose::daemon::EventBus::Subscription sub;

  Stack() {
    rec = store.create(request("services: {web: {image: busybox:test, command: [sleep, '1000']}}"));
    store.start(rec.id);
    mycompose::daemon::EngineOptions o;
    o.root = root.root();
    o.log_level = "debug";
    engine = std::make_unique<mycompose::daemon::Engine>(o);
    engine->start();
    monitor = HealthMonitor::for_engine(*engine, mycompose::test::mycompose_bin());
    sub = engine->events().subscribe([this](const json& e) {
      if (e.value("Action", "").rfind("health_status", 0) == 0) events.push_back(e);
    });
  }
  ~Stack() {
    sub.reset();
    engine.reset();  // shuts down: closes the monitor's handles, kills probes in flight
    monitor.reset();
  }

  // Runs the engine's loop, calling step() every 20 ms until it returns true (then true) or
  // 30 s pass (then false: a guard against a hang, not a timing assertion).
  bool run_until(std::function<bool()> step) {
    struct Ctx {
      Stack* self;
      std::function<bool()> step;
      bool met = false;
    } ctx{this, std::move(step)};
    uv_timer_t poll, guard;
    uv_timer_init(engine->loop(), &poll);
    uv_timer_init(engine->loop(), &guard);
    poll.data = guard.data = &ctx;
    uv_timer_start(&poll, [](uv_timer_t* t) {
      auto* c = static_cast<Ctx*>(t->data);
      if (c->step()) {
        c->met = true;
        uv_stop(t->loop);
      }
    }, 0, 20);
    uv_timer_start(&guard, [](uv_timer_t* t) { uv_stop(t->loop); }, 30000, 0);
    uv_run(engine->loop(), UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&poll), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&guard), nullptr);
    uv_run(engine->loop(), UV_RUN_NOWAIT);
    return ctx.met;
  }

  std::optional<HealthState> health() { return monitor->status(rec.id); }
  json stored() { return json::parse(mycompose::fs::read_file(state_path(root.root(), rec.id))); }
  std::string engine_log() { return mycompose::fs::read_file(root.root() / "engine.log"); }
};

HealthConfig check(const std::string& healthcheck_yaml) {
  auto def = request("services: {web: {image: busybox:test, healthcheck: " + healthcheck_yaml + "}}").definition;
  return resolve_health_config(json::object(), json::parse(def.dump()));
}

}  // namespace

TEST_CASE("health: a container becomes healthy once /tmp/ok exists in it") {
  Stack s;
  WatchOptions named;
  named.attributes = {{"name", s.rec.name}};
  s.monitor->watch(s.rec.id, check("{test: 'test -f /tmp/ok', interval: 100ms, retries: 3}"), named);
  INFO(s.engine_log());
  // One failed probe first: the file is not there (in the container) yet.
  REQUIRE(s.run_until([&] { return !s.health()->log.empty(); }));
  CHECK(s.health()->status == "starting");
  CHECK(s.health()->log[0].exit_code == 1);
  auto touch = mycompose::test::run({mycompose::test::mycompose_bin(), "runtime", "--root", (s.root.root() / "runtime").string(),
                                     "exec", s.rec.id, "sh", "-c", "busybox mkdir -p /tmp && : > /tmp/ok"});
  INFO(touch.err);
  REQUIRE(touch.exit_code == 0);
  REQUIRE(s.run_until([&] { return s.health()->status == "healthy"; }));
  CHECK(s.health()->log.back().exit_code == 0);
  CHECK(s.health()->failing_streak == 0);
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0]["Action"] == "health_status: healthy");
  CHECK(s.events[0]["Actor"]["ID"] == s.rec.id);
  CHECK(s.events[0]["Actor"]["Attributes"]["name"] == "shop-web-1");
  CHECK(s.stored() == s.health()->to_json());
  CHECK(s.stored()["Status"] == "healthy");
}

TEST_CASE("health: a container becomes unhealthy after retries failed probes") {
  Stack s;
  s.monitor->watch(s.rec.id, check("{test: [CMD, cat, /nonexistent], interval: 100ms, retries: 2}"));
  INFO(s.engine_log());
  REQUIRE(s.run_until([&] { return s.health()->status == "unhealthy"; }));
  CHECK(s.health()->failing_streak == 2);
  REQUIRE(s.health()->log.size() == 2);
  CHECK(s.health()->log[1].exit_code == 1);
  CHECK(s.health()->log[1].output == "cat: can't open '/nonexistent': No such file or directory\n");
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0]["Action"] == "health_status: unhealthy");
  CHECK(s.stored()["Status"] == "unhealthy");
  CHECK(s.stored()["FailingStreak"] == 2);
  CHECK(s.stored()["Log"].size() == 2);
}

TEST_CASE("health: a probe past its timeout is killed inside the container") {
  Stack s;
  const auto before = s.store.runtime().processes(s.rec.id).size();
  s.monitor->watch(s.rec.id, check("{test: [CMD, sleep, '30'], interval: 100ms, timeout: 300ms, retries: 1}"));
  INFO(s.engine_log());
  // The probe's sleep runs in the container's cgroup while it lasts.
  REQUIRE(s.run_until([&] { return s.store.runtime().processes(s.rec.id).size() > before; }));
  REQUIRE(s.run_until([&] { return !s.health()->log.empty(); }));
  s.monitor->unwatch(s.rec.id);
  CHECK(s.health() == std::nullopt);
  const auto r = s.stored()["Log"][0];
  CHECK(r["ExitCode"] == -1);
  CHECK(r["Output"] == "Health check exceeded timeout (300ms)");
  CHECK(s.stored()["Status"] == "unhealthy");
  CHECK(s.run_until([&] { return s.store.runtime().processes(s.rec.id).size() == before; }));
}
