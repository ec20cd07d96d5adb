// HealthMonitor: a timer per container on the loop; each tick runs one probe, feeds its result
// to the container's HealthMachine, stores it and announces status changes.
#include "mycompose/health/monitor.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "mycompose/common/uv_object.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/daemon/event_bus.hpp"
#include "mycompose/health/probe.hpp"

namespace mycompose::health {

namespace stdfs = std::filesystem;

struct HealthMonitor::Watch {
  Watch(std::string i, HealthConfig c, WatchOptions o, HealthMachine m)
      : id(std::move(i)), config(std::move(c)), options(std::move(o)), machine(std::move(m)) {}
  std::string id;
  HealthConfig config;
  WatchOptions options;
  HealthMachine machine;
  HealthMonitor* monitor = nullptr;
  UvTimer* timer = nullptr;  // closed (never fires again) when the Watch is dropped
  std::shared_ptr<Probe> probe;
};

std::string runtime_program() {
  std::error_code ec;
  stdfs::path self = stdfs::read_symlink("/proc/self/exe", ec);
  if (ec) return "/proc/self/exe";
  stdfs::path launcher = self.parent_path() / "mycompose";
  return stdfs::exists(launcher, ec) ? launcher.string() : self.string();
}

ProbeCommand runtime_exec_command(stdfs::path runtime_root, std::string program) {
  if (program.empty()) program = runtime_program();
  return [program, runtime_root](const std::string& id, const std::vector<std::string>& test) {
    std::vector<std::string> argv{program, "runtime", "--root", runtime_root.string(), "exec", id};
    argv.insert(argv.end(), test.begin(), test.end());
    return argv;
  };
}

HealthMonitor::HealthMonitor(uv_loop_t* loop, MonitorOptions options) : loop_(loop), options_(std::move(options)) {
  if (!options_.command) options_.command = runtime_exec_command(options_.root / "runtime");
  if (!options_.now) options_.now = [] { return Clock::now(); };
}

HealthMonitor::~HealthMonitor() { close(); }

std::unique_ptr<HealthMonitor> HealthMonitor::for_engine(daemon::Engine& engine, std::string program) {
  MonitorOptions o;
  o.root = engine.root();
  o.events = &engine.events();
  o.command = runtime_exec_command(engine.runtime().root(), std::move(program));
  // The engine is a subreaper whose SIGCHLD handler waits for any pid: its wait status is the
  // only one there is, so probes take it from there instead of from libuv.
  o.reaper = [&engine](pid_t pid, std::function<void(int)> cb) { engine.on_child_exit(pid, std::move(cb)); };
  auto m = std::make_unique<HealthMonitor>(engine.loop(), std::move(o));
  engine.on_shutdown([p = m.get()] { p->close(); });
  return m;
}

void HealthMonitor::watch(const std::string& id, const HealthConfig& config, WatchOptions options) {
  unwatch(id);
  if (!config.enabled()) return;
  const TimePoint started = options.started_at.value_or(options_.now());
  HealthState state;
  std::optional<HealthState> stored;
  if (!options_.root.empty()) {
    try {
      stored = load_state(options_.root, id);
    } catch (const std::exception& e) {
      spdlog::warn("health: {}: cannot read the stored state: {}", id, e.what());
    }
  }
  if (stored) {
    state = *stored;
    // Docker on every container start: "starting" again with no streak; the log stays.
    if (!options.resume) {
      state.status = kStarting;
      state.failing_streak = 0;
    }
  }
  auto w = std::make_unique<Watch>(id, config, std::move(options), HealthMachine(config.timings(), started, state));
  w->timer = UvTimer::open(loop_, [watch = w.get()](UvTimer&) { watch->monitor->run_probe(*watch); });
  w->monitor = this;
  Watch& ref = *w;
  watches_[id] = std::move(w);
  if (!options_.root.empty()) save_state(options_.root, id, ref.machine.state());
  schedule(ref);
}

void HealthMonitor::unwatch(const std::string& id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  auto w = std::move(it->second);
  watches_.erase(it);
  drop(std::move(w));
}

void HealthMonitor::drop(std::unique_ptr<Watch> w) {
  if (w->probe) w->probe->cancel();
  w->timer->close();
}

void HealthMonitor::close() {
  auto all = std::move(watches_);
  watches_.clear();
  for (auto& [id, w] : all) drop(std::move(w));
}

std::optional<HealthState> HealthMonitor::status(const std::string& id) const {
  auto it = watches_.find(id);
  if (it == watches_.end()) return std::nullopt;
  return it->second->machine.state();
}

std::uint64_t HealthMonitor::add_listener(Listener listener) {
  listeners_[next_listener_] = std::move(listener);
  return next_listener_++;
}

void HealthMonitor::remove_listener(std::uint64_t token) { listeners_.erase(token); }

void HealthMonitor::schedule(Watch& w) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(w.machine.next_delay(options_.now())).count();
  w.timer->start(ms > 0 ? static_cast<std::uint64_t>(ms) : 0);
}

void HealthMonitor::run_probe(Watch& w) {
  const auto argv = options_.command(w.id, w.config.probe_command());
  Watch* target = &w;  // a cancelled probe never calls back, and unwatch cancels it first
  w.probe = Probe::start(loop_, argv, w.machine.timings().timeout, options_.reaper, options_.now,
                         [this, target](ProbeResult r) { on_result(*target, std::move(r)); });
}

void HealthMonitor::on_result(Watch& w, ProbeResult result) {
  w.probe.reset();
  const int exit_code = result.exit_code;
  const bool changed = w.machine.record(std::move(result));
  const HealthState state = w.machine.state();
  const std::string id = w.id;
  const nlohmann::json attributes = w.options.attributes;
  if (!options_.root.empty()) {
    try {
      save_state(options_.root, id, state);
    } catch (const std::exception& e) {
      spdlog::warn("health: {}: cannot store the state: {}", id, e.what());
    }
  }
  spdlog::debug("health: {}: probe exit {}, {} (streak {})", id, exit_code, state.status, state.failing_streak);
  schedule(w);
  if (!changed) return;
  // Listeners may unwatch (even this container): w is not used past this point.
  if (options_.events) options_.events->publish("container", "health_status: " + state.status, id, attributes);
  auto listeners = listeners_;
  for (auto& [token, listener] : listeners)
    if (listeners_.count(token)) listener(id, state);
}

}  // namespace mycompose::health
