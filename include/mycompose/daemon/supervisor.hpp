#pragma once
// Watches container inits from the engine's loop (pidfd + uv_poll, no thread, no shim),
// learns their exit status, applies restart policies with Docker's backoff and publishes
// container events. On engine start it re-adopts the runtime's containers: running ones are
// watched again, those that died while no engine ran are reported with their exit codes.
//
// What it remembers per container lives in <state_dir>/<id>.json (policy, restart count,
// stopped-by-user, last status seen), so a new engine knows which deaths it has to report.
#include <sys/types.h>
#include <uv.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mycompose/daemon/event_bus.hpp"
#include "mycompose/daemon/restart_policy.hpp"
#include "mycompose/runtime/runtime.hpp"

namespace mycompose::daemon {

struct SupervisedContainer {
  std::string id;
  std::string status;  // running | restarting | exited
  pid_t pid = 0;
  std::optional<int> exit_code;  // of the last exit, when known
  int restart_count = 0;
  RestartPolicy policy;
  bool stopped_by_user = false;
  long long next_restart_delay_ms = 0;  // while restarting

  nlohmann::json to_json() const;
};

class Supervisor {
 public:
  // Brings a dead container back (same id). The default removes what is left of it and
  // creates and starts it again from its bundle; the scheduler may set its own.
  using Restarter = std::function<void(runtime::Runtime&, const std::string& id)>;

  Supervisor(uv_loop_t* loop, runtime::Runtime& runtime, EventBus& events, std::filesystem::path state_dir);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;

  // At engine start: every container of the runtime root with a record or running.
  void adopt_all();
  // Supervise a container: a created one is started, a running one watched, a stopped one
  // handled as if it had just exited. Throws Error for an unknown container.
  void watch(const std::string& id, RestartPolicy policy);
  // Before the user stops or kills it: the exit that follows does not restart it.
  void mark_stopped_by_user(const std::string& id);
  // The container is being removed: stop watching, drop its record.
  void forget(const std::string& id);

  std::optional<SupervisedContainer> find(const std::string& id) const;
  std::vector<SupervisedContainer> list() const;

  void set_restarter(Restarter r) { restarter_ = std::move(r); }
  // The default: the container again from its bundle, as it was created (runtime only).
  static void recreate_from_bundle(runtime::Runtime& rt, const std::string& id);
  // The engine's SIGCHLD reaper hands over exit statuses of children it reaped (an init
  // whose parent is the engine, or an orphan reparented to it as subreaper).
  void child_reaped(pid_t pid, int wait_status);
  // Engine shutdown: close polls and timers; containers keep running.
  void close();

 private:
  struct Watch;
  void adopt(const runtime::ContainerState& st);
  void start_polling(Watch& w);
  void on_exit(Watch& w);
  void exited(Watch& w, std::optional<int> exit_code, bool report);
  void restart_now(std::string id);  // a copy: it may forget (erase) the watch
  void save(const Watch& w) const;
  void stop_handles(Watch& w);

  uv_loop_t* loop_;
  runtime::Runtime& runtime_;
  EventBus& events_;
  std::filesystem::path state_dir_;
  Restarter restarter_;
  std::map<std::string, std::unique_ptr<Watch>> watches_;
  std::map<pid_t, int> reaped_;  // wait statuses of watched pids reaped by the engine
};

}  // namespace mycompose::daemon
