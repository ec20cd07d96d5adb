// HealthMonitor on a real libuv loop with host /bin/sh probes standing in for `runtime exec`
// (the command is injectable): results, events, health.json, timeouts, cancel, resume, and
// both ways of reaping a probe (libuv's exit callback, an engine-style waitpid(-1) reaper).
#include <catch2/catch.hpp>

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "mycompose/common/fs.hpp"
#include "mycompose/daemon/event_bus.hpp"
#include "mycompose/health/monitor.hpp"

using namespace mycompose::health;
using namespace std::chrono_literals;
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kId = "c0ffee";

struct TempRoot {
  stdfs::path dir;
  TempRoot() {
    char t[] = "/tmp/mycompose-health-XXXXXX";
    REQUIRE(::mkdtemp(t));
    dir = t;
    stdfs::create_directories(dir / "containers" / kId);
  }
  ~TempRoot() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
};

// A loop for one test; every handle must be closed at the end (uv_loop_close checks it).
struct Loop {
  uv_loop_t loop;
  Loop() { uv_loop_init(&loop); }
  ~Loop() {
    uv_run(&loop, UV_RUN_DEFAULT);  // lets close callbacks (and killed probes) finish
    CHECK(uv_loop_close(&loop) == 0);
  }
  // Runs until pred() holds; false if it did not within 20 s (a guard against a hang, not a
  // timing assertion).
  bool run_until(std::function<bool()> pred) {
    struct Ctx {
      std::function<bool()> pred;
      bool met = false;
    } ctx{std::move(pred)};
    uv_timer_t poll, guard;
    uv_timer_init(&loop, &poll);
    uv_timer_init(&loop, &guard);
    poll.data = guard.data = &ctx;
    uv_timer_start(&poll, [](uv_timer_t* t) {
      auto* c = static_cast<Ctx*>(t->data);
      if (c->pred()) {
        c->met = true;
        uv_stop(t->loop);
      }
    }, 0, 5);
    uv_timer_start(&guard, [](uv_timer_t* t) { uv_stop(t->loop); }, 20000, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&poll), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&guard), nullptr);
    uv_run(&loop, UV_RUN_NOWAIT);
    return ctx.met;
  }
};

// As the engine does it: one SIGCHLD handler that waits for any child.
struct EngineStyleReaper {
  uv_signal_t sig;
  std::map<pid_t, std::function<void(int)>> callbacks;
  int reaped = 0;
  explicit EngineStyleReaper(uv_loop_t* loop) {
    uv_signal_init(loop, &sig);
    sig.data = this;
    uv_signal_start(&sig, [](uv_signal_t* s, int) {
      auto* r = static_cast<EngineStyleReaper*>(s->data);
      int status;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        ++r->reaped;
        if (auto it = r->callbacks.find(pid); it != r->callbacks.end()) {
          auto cb = std::move(it->second);
          r->callbacks.erase(it);
          cb(status);
        }
      }
    }, SIGCHLD);
    uv_unref(reinterpret_cast<uv_handle_t*>(&sig));  // the loop ends without waiting for it
  }
  ~EngineStyleReaper() {
    uv_close(reinterpret_cast<uv_handle_t*>(&sig), nullptr);
    uv_run(sig.loop, UV_RUN_NOWAIT);  // finishes the close before the memory goes
  }
  ChildReaper reaper() {
    return [this](pid_t pid, std::function<void(int)> cb) { callbacks[pid] = std::move(cb); };
  }
};

HealthConfig shell_check(const std::string& script, Duration interval, int retries, Duration timeout = 10s) {
  HealthConfig c;
  c.test = {"CMD-SHELL", script};
  c.interval = interval;
  c.retries = retries;
  c.timeout = timeout;
  return c;
}

MonitorOptions host_probes(const TempRoot& root, mycompose::daemon::EventBus* bus = nullptr) {
  MonitorOptions o;
  o.root = root.dir;
  o.events = bus;
  o.command = [](const std::string&, const std::vector<std::string>& test) { return test; };  // on the host
  return o;
}

json stored(const TempRoot& root) { return json::parse(mycompose::fs::read_file(state_path(root.dir, kId))); }

// Not running any more: gone, or a zombie nobody reaps yet.
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  return line.substr(line.rfind(')') + 2, 1) == "Z";
}

void healthy_after_file_appears(bool engine_reaper) {
  TempRoot root;
  Loop l;
  mycompose::daemon::EventBus bus;
  std::vector<json> events;
  auto sub = bus.subscribe([&](const json& e) { events.push_back(e); });
  std::optional<EngineStyleReaper> reaper;
  auto o = host_probes(root, &bus);
  if (engine_reaper) {
    reaper.emplace(&l.loop);
    o.reaper = reaper->reaper();
  }
  HealthMonitor m(&l.loop, o);
  std::vector<std::string> changes;
  m.add_listener([&](const std::string& id, const HealthState& s) { changes.push_back(id + " " + s.status); });
  const auto ok = root.dir / "ok";
  WatchOptions named;
  named.attributes = {{"name", "shop-web-1"}};
  m.watch(kId, shell_check("echo checking; test -f " + ok.string(), 20ms, 3), named);
  CHECK(stored(root)["Status"] == "starting");

  REQUIRE(l.run_until([&] { return m.status(kId)->log.size() >= 1; }));
  CHECK(m.status(kId)->status == "starting");
  CHECK(m.status(kId)->log[0].exit_code == 1);
  CHECK(m.status(kId)->log[0].output == "checking\n");
  mycompose::fs::write_file_atomic(ok, "");
  REQUIRE(l.run_until([&] { return m.status(kId)->status == "healthy"; }));

  auto s = *m.status(kId);
  CHECK(s.failing_streak == 0);
  CHECK(s.log.back().exit_code == 0);
  CHECK(s.log.back().end >= s.log.back().start);
  CHECK(changes == std::vector<std::string>{kId + " healthy"});
  REQUIRE(events.size() == 1);
  CHECK(events[0]["Type"] == "container");
  CHECK(events[0]["Action"] == "health_status: healthy");
  CHECK(events[0]["Actor"]["ID"] == kId);
  CHECK(events[0]["Actor"]["Attributes"]["name"] == "shop-web-1");
  CHECK(stored(root) == s.to_json());
  m.close();
  if (reaper) {
    CHECK(reaper->reaped >= 2);  // every probe went through the engine's reaper
    CHECK(reaper->callbacks.empty());
  }
}

}  // namespace

TEST_CASE("monitor: healthy once the probe succeeds, with the event and health.json (libuv reaps)") {
  healthy_after_file_appears(false);
}

TEST_CASE("monitor: healthy once the probe succeeds, with the event and health.json (engine-style reaper)") {
  healthy_after_file_appears(true);
}

TEST_CASE("monitor: unhealthy after retries failures") {
  TempRoot root;
  Loop l;
  mycompose::daemon::EventBus bus;
  std::vector<std::string> actions;
  auto sub = bus.subscribe([&](const json& e) { actions.push_back(e["Action"]); });
  HealthMonitor m(&l.loop, host_probes(root, &bus));
  m.watch(kId, shell_check("echo not yet >&2; exit 1", 10ms, 2));
  REQUIRE(l.run_until([&] { return m.status(kId)->status == "unhealthy"; }));
  CHECK(m.status(kId)->failing_streak == 2);
  CHECK(m.status(kId)->log.size() == 2);
  CHECK(m.status(kId)->log[1].output == "not yet\n");  // stderr is in the output
  CHECK(actions == std::vector<std::string>{"health_status: unhealthy"});
  CHECK(stored(root)["Status"] == "unhealthy");
  CHECK(stored(root)["FailingStreak"] == 2);
}

TEST_CASE("monitor: a probe past its timeout is killed with what it started and fails") {
  TempRoot root;
  Loop l;
  HealthMonitor m(&l.loop, host_probes(root));
  const auto pidfile = root.dir / "sleeper.pid";
  m.watch(kId, shell_check("echo partial; sleep 30 & echo $! > " + pidfile.string() + "; wait", 10ms, 1, 200ms));
  REQUIRE(l.run_until([&] { return m.status(kId)->log.size() == 1; }));
  const auto r = m.status(kId)->log[0];
  CHECK(r.exit_code == -1);
  CHECK(r.output == "Health check exceeded timeout (200ms): partial\n");
  CHECK(m.status(kId)->status == "unhealthy");
  const pid_t sleeper = std::stoi(mycompose::fs::read_file(pidfile));
  CHECK(l.run_until([&] { return process_gone(sleeper); }));
  m.close();
}

TEST_CASE("monitor: output is limited to 4096 bytes and '...'") {
  TempRoot root;
  Loop l;
  HealthMonitor m(&l.loop, host_probes(root));
  m.watch(kId, shell_check("i=0; while [ $i -lt 300 ]; do echo 0123456789abcdef; i=$((i+1)); done", 10ms, 3));
  REQUIRE(l.run_until([&] { return m.status(kId)->log.size() == 1; }));
  const auto out = m.status(kId)->log[0].output;
  CHECK(out.size() == 4099);
  CHECK(out.substr(0, 17) == "0123456789abcdef\n");
  CHECK(out.substr(4096) == "...");
}

TEST_CASE("monitor: a program that cannot start is a failed probe naming it") {
  TempRoot root;
  Loop l;
  MonitorOptions o = host_probes(root);
  o.command = [](const std::string&, const std::vector<std::string>&) { return std::vector<std::string>{"/nonexistent/probe"}; };
  HealthMonitor m(&l.loop, o);
  m.watch(kId, shell_check("true", 10ms, 1));
  REQUIRE(l.run_until([&] { return m.status(kId)->log.size() == 1; }));
  CHECK(m.status(kId)->log[0].exit_code == -1);
  CHECK(m.status(kId)->log[0].output == "healthcheck: cannot run /nonexistent/probe: no such file or directory");
}

TEST_CASE("monitor: unwatch kills the probe in flight and drops its result") {
  TempRoot root;
  Loop l;
  HealthMonitor m(&l.loop, host_probes(root));
  const auto pidfile = root.dir / "probe.pid";
  int changes = 0;
  m.add_listener([&](const std::string&, const HealthState&) { ++changes; });
  m.watch(kId, shell_check("echo $$ > " + pidfile.string() + "; exec sleep 30", 10ms, 1));
  REQUIRE(l.run_until([&] { return stdfs::exists(pidfile) && stdfs::file_size(pidfile) > 0; }));
  const pid_t probe = std::stoi(mycompose::fs::read_file(pidfile));
  m.unwatch(kId);
  CHECK_FALSE(m.watching(kId));
  CHECK_FALSE(m.status(kId));
  // Nothing left on the loop: uv_run returns by itself once the killed probe is reaped.
  uv_run(&l.loop, UV_RUN_DEFAULT);
  CHECK(process_gone(probe));
  CHECK(changes == 0);
  CHECK(stored(root)["Log"].empty());
}

TEST_CASE("monitor: probes every start_interval during the start period, failures not counted") {
  TempRoot root;
  Loop l;
  HealthMonitor m(&l.loop, host_probes(root));
  HealthConfig c = shell_check("exit 1", std::chrono::hours(1), 1);
  c.start_period = 1h;
  c.start_interval = 10ms;
  m.watch(kId, c);
  // With the one-hour interval, three results can only come from the start interval.
  REQUIRE(l.run_until([&] { return m.status(kId)->log.size() >= 3; }));
  CHECK(m.status(kId)->status == "starting");
  CHECK(m.status(kId)->failing_streak == 0);
}

TEST_CASE("monitor: a restarted engine resumes the stored streak, a restarted container starts over") {
  TempRoot root;
  HealthState before;
  before.status = "healthy";
  before.failing_streak = 2;
  before.log.push_back(ProbeResult{Clock::now(), Clock::now(), 1, "old"});
  save_state(root.dir, kId, before);
  {
    Loop l;
    HealthMonitor m(&l.loop, host_probes(root));
    WatchOptions resume;
    resume.resume = true;
    m.watch(kId, shell_check("exit 1", 10ms, 3), resume);
    CHECK(m.status(kId)->failing_streak == 2);
    REQUIRE(l.run_until([&] { return m.status(kId)->log.size() == 2; }));
    CHECK(m.status(kId)->status == "unhealthy");  // the third failure in a row
    CHECK(m.status(kId)->log[0].output == "old");
    m.close();
  }
  {
    Loop l;
    HealthMonitor m(&l.loop, host_probes(root));
    m.watch(kId, shell_check("exit 0", 10ms, 3));
    CHECK(m.status(kId)->status == "starting");
    CHECK(m.status(kId)->failing_streak == 0);
    CHECK(m.status(kId)->log.size() == 2);  // Docker keeps the log across a restart
    CHECK(stored(root)["Status"] == "starting");
    m.close();
  }
}

TEST_CASE("monitor: a disabled config watches nothing and stops earlier checks") {
  TempRoot root;
  Loop l;
  HealthMonitor m(&l.loop, host_probes(root));
  m.watch(kId, shell_check("exit 0", 10ms, 3));
  CHECK(m.watching(kId));
  HealthConfig none;
  none.test = {"NONE"};
  m.watch(kId, none);
  CHECK_FALSE(m.watching(kId));
}
