#pragma once
// The engine process: one per state root (flock on engine.pid), a libuv loop, the HTTP+JSON
// API on engine.sock, logs in engine.log, the container supervisor. It is a child
// subreaper (this machine's PID 1 does not reap orphans) and shuts down cleanly on
// SIGTERM/SIGINT or POST /shutdown, leaving containers running.
//
// Other modules add their routes and event sources without touching this module:
//
//   // in a .cpp of your module that the mycompose binary links anyway
//   static const bool registered = mycompose::daemon::add_engine_extension("scheduler",
//       [](mycompose::daemon::Engine& e) { e.router().add("POST /projects/{name}/up", ...); });
//
// (A static library drops an object file nobody references: keep the registration in a file
// whose other symbols are used, or call add_engine_extension from a function that is.)
#include <sys/types.h>
#include <uv.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/daemon/event_bus.hpp"
#include "mycompose/daemon/server.hpp"
#include "mycompose/daemon/supervisor.hpp"
#include "mycompose/daemon/workers.hpp"
#include "mycompose/runtime/runtime.hpp"

namespace mycompose::daemon {

inline constexpr const char* kSocketFile = "engine.sock";
inline constexpr const char* kPidFile = "engine.pid";
inline constexpr const char* kLogFile = "engine.log";
inline constexpr unsigned kSocketMode = 0660;
inline constexpr const char* kApiVersion = "1.0";

// $MYCOMPOSE_ROOT, else /var/lib/mycompose.
std::filesystem::path default_root();

struct EngineOptions {
  std::filesystem::path root = default_root();
  std::string log_level = "info";  // debug | info | warn | error
};

class Engine;
using EngineExtension = std::function<void(Engine&)>;
// Called for every engine after its own routes exist and before it serves. Returns true so
// it can initialise a static.
bool add_engine_extension(std::string name, EngineExtension extension);

class Engine {
 public:
  explicit Engine(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;

  // Lock, log, socket, re-adoption. Throws Error: another engine holds the root (naming its
  // pid), or the socket cannot be bound.
  void start();
  // Serves until shutdown(); returns the process exit status. Work still running on the
  // workers then may be waited for with workers().wait().
  int run();
  // Stop serving (streams end), stop supervising; containers keep running. Safe to call
  // from any loop callback, more than once.
  void shutdown();

  uv_loop_t* loop() { return &loop_; }
  Router& router() { return router_; }
  EventBus& events() { return events_; }
  Supervisor& supervisor() { return *supervisor_; }
  // Threads for queries and long operations (closed at shutdown; see workers.hpp).
  Workers& workers() { return *workers_; }
  runtime::Runtime& runtime() { return runtime_; }
  const std::filesystem::path& root() const { return options_.root; }

  // For modules that fork: the engine reaps every child (it is a subreaper), so a process
  // you start must be registered here to learn its wait status.
  void on_child_exit(pid_t pid, std::function<void(int wait_status)> callback);
  // Called at shutdown, on the loop, before the engine closes the handles left: an extension
  // closes its own handles here (their close callbacks then run normally).
  void on_shutdown(std::function<void()> callback) { shutdown_callbacks_.push_back(std::move(callback)); }

 private:
  void take_lock();
  void open_log();
  void add_core_routes();
  void reap_children();

  EngineOptions options_;
  uv_loop_t loop_;
  bool loop_open_ = false;
  UniqueFd lock_fd_;
  Router router_;
  EventBus events_;
  runtime::Runtime runtime_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<Supervisor> supervisor_;
  std::unique_ptr<Workers> workers_;
  uv_signal_t sig_term_, sig_int_, sig_chld_;
  std::vector<std::function<void()>> shutdown_callbacks_;
  bool signals_open_ = false;
  bool shutting_down_ = false;
  std::map<pid_t, std::function<void(int)>> child_callbacks_;
};

}  // namespace mycompose::daemon
