#pragma once
// Healthchecks on the engine's loop: one timer per watched container; each probe is a separate
// process (`mycompose runtime --root <root>/runtime exec <id> <test…>`, started with uv_spawn,
// never a fork of the engine), killed with its whole process group when it exceeds the timeout.
// Every result goes through the HealthMachine, is stored in containers/<id>/health.json, and a
// status change is published as Docker's event ("container", "health_status: healthy") and
// passed to the listeners.
//
//   // once, in the engine (reaping through Engine::on_child_exit, closed at engine shutdown):
//   auto monitor = health::HealthMonitor::for_engine(engine);
//   // when a container starts (or, resume = true, when a restarted engine re-adopts it):
//   auto hc = health::resolve_health_config(image_config, service_definition);
//   if (hc.enabled()) monitor->watch(id, hc, {.attributes = {{"name", name}}});
//   auto token = monitor->add_listener([](const std::string& id, const health::HealthState& s) {
//     if (s.status == health::kHealthy) …  // service_healthy met; kUnhealthy: dependency failed
//   });
//   // when it stops or is removed:
//   monitor->unwatch(id);
//
// Loop thread only. ps/inspect without the engine: health::load_state(root, id).
#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mycompose/health/config.hpp"
#include "mycompose/health/state.hpp"

namespace mycompose::daemon {
class Engine;
class EventBus;
}  // namespace mycompose::daemon

namespace mycompose::health {

class Probe;

// The program a probe runs, from the container id and the test's command.
using ProbeCommand = std::function<std::vector<std::string>(const std::string& id, const std::vector<std::string>& test)>;
// Takes over the wait status of a spawned pid (the engine reaps every child itself, so libuv's
// own waitpid must not race it). Unset: libuv's exit callback reaps the probe.
using ChildReaper = std::function<void(pid_t pid, std::function<void(int wait_status)> on_exit)>;

// The program the engine runs `runtime …` with: the `mycompose` launcher beside the running
// executable (small and statically linked: the quickest start), else the running executable.
std::string runtime_program();
// `<program> runtime --root <runtime_root> exec <id> <test…>`; program empty: runtime_program().
ProbeCommand runtime_exec_command(std::filesystem::path runtime_root, std::string program = "");

struct MonitorOptions {
  std::filesystem::path root;  // MYCOMPOSE_ROOT: where health.json goes; empty: not stored
  daemon::EventBus* events = nullptr;  // nullptr: no events
  ProbeCommand command;  // unset: runtime_exec_command(root / "runtime")
  ChildReaper reaper;
  std::function<TimePoint()> now = [] { return Clock::now(); };
};

struct WatchOptions {
  // When the container (last) started: the start period counts from here. Unset: now.
  std::optional<TimePoint> started_at;
  // true: continue from health.json (status, streak, log), for a container a restarted engine
  // re-adopts. false: a (re)started container begins "starting" with no streak, keeping the log
  // as Docker does.
  bool resume = false;
  nlohmann::json attributes = nlohmann::json::object();  // for the events (name, image, …)
};

class HealthMonitor {
 public:
  using Listener = std::function<void(const std::string& id, const HealthState& state)>;

  HealthMonitor(uv_loop_t* loop, MonitorOptions options);
  ~HealthMonitor();  // close()
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // Wired to an engine: its loop, root, runtime, event bus, child reaper; closed at shutdown.
  // The monitor must outlive the engine's shutdown (keep it as long as the engine).
  // program: the mycompose binary probes run (see runtime_exec_command); tests name theirs.
  static std::unique_ptr<HealthMonitor> for_engine(daemon::Engine& engine, std::string program = "");

  // Starts (or restarts, with the new config) the checks of a container. A config that is not
  // enabled() stops any checks and watches nothing. The first probe runs one interval (the start
  // interval during the start period) after this call, as Docker's first.
  void watch(const std::string& id, const HealthConfig& config, WatchOptions options = {});
  // Stops the checks; a probe in flight is killed and its result dropped. health.json stays.
  void unwatch(const std::string& id);
  bool watching(const std::string& id) const { return watches_.count(id) != 0; }
  std::optional<HealthState> status(const std::string& id) const;

  // Called after a probe changed a container's status (starting → healthy, …).
  std::uint64_t add_listener(Listener listener);
  void remove_listener(std::uint64_t token);

  // Stops every check and kills probes in flight; the handles close on the loop. Idempotent.
  void close();

 private:
  struct Watch;
  void schedule(Watch& w);
  void run_probe(Watch& w);
  void on_result(Watch& w, ProbeResult result);
  void drop(std::unique_ptr<Watch> w);

  uv_loop_t* loop_;
  MonitorOptions options_;
  std::map<std::string, std::unique_ptr<Watch>> watches_;
  std::map<std::uint64_t, Listener> listeners_;
  std::uint64_t next_listener_ = 1;
};

}  // namespace mycompose::health
