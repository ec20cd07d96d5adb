// The engine process: lock, log, loop, API, supervision.
#include "mycompose/daemon/engine.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <vector>

#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_root.hpp"
#include "mycompose/common/uv_object.hpp"

#ifndef MYCOMPOSE_VERSION
#define MYCOMPOSE_VERSION "0.0.0"
#endif

namespace mycompose::daemon {

namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<std::pair<std::string, EngineExtension>>& extensions() {
  static std::vector<std::pair<std::string, EngineExtension>> list;
  return list;
}

spdlog::level::level_enum parse_level(const std::string& s) {
  if (s == "debug") return spdlog::level::debug;
  if (s == "warn") return spdlog::level::warn;
  if (s == "error") return spdlog::level::err;
  return spdlog::level::info;
}

}  // namespace

stdfs::path default_root() {
  const char* r = std::getenv("MYCOMPOSE_ROOT");
  return r && *r ? stdfs::path(r) : stdfs::path("/var/lib/mycompose");
}

bool add_engine_extension(std::string name, EngineExtension extension) {
  extensions().emplace_back(std::move(name), std::move(extension));
  return true;
}

Engine::Engine(EngineOptions options) : options_(std::move(options)), runtime_(options_.root / "runtime") {
  if (int rc = uv_loop_init(&loop_); rc < 0) throw SystemError("uv_loop_init", -rc);
  loop_open_ = true;
  workers_ = std::make_unique<Workers>(&loop_);
}

Engine::~Engine() {
  shutdown();
  if (workers_) workers_->close();
  if (loop_open_) {
    // Close whatever handles are left (extensions' included) and let their callbacks run.
    uv_walk(&loop_, [](uv_handle_t* h, void*) {
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }, nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    workers_.reset();  // waits for running work, which no longer reaches the loop
    supervisor_.reset();
    server_.reset();
    uv_loop_close(&loop_);
  }
}

void Engine::take_lock() {
  state_root::repair(options_.root);
  stdfs::path pid_path = options_.root / kPidFile;
  // CLOEXEC: container inits, cloned from this process, must not inherit the lock.
  // O_NOFOLLOW: never a file a link in the root points at (this and engine.log are written as root).
  lock_fd_.reset(::open(pid_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!lock_fd_) throw SystemError("open " + pid_path.string(), errno);
  if (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err != EWOULDBLOCK) throw SystemError("flock " + pid_path.string(), err);
    std::string holder;
    try {
      holder = fs::read_file(pid_path, 64);
    } catch (const std::exception&) {
    }
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    throw Error("another engine" + (holder.empty() ? std::string() : " (pid " + holder + ")") + " already runs for " +
                options_.root.string() + ": it holds the lock on " + pid_path.string());
  }
  // The pid file is never removed, only rewritten: removing it would let two engines lock
  // two different files of the same name.
  std::string pid = std::to_string(::getpid()) + "\n";
  check_syscall(::ftruncate(lock_fd_.get(), 0), "truncate " + pid_path.string());
  check_syscall(::pwrite(lock_fd_.get(), pid.data(), pid.size(), 0), "write " + pid_path.string());
}

void Engine::open_log() {
  stdfs::path log_path = options_.root / kLogFile;
  std::vector<spdlog::sink_ptr> sinks;
  // Opened here, O_NOFOLLOW, and handed to spdlog as a stream (its file sink opens by name).
  UniqueFd fd(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640));
  if (!fd) throw SystemError("open " + log_path.string(), errno);
  FILE* log = ::fdopen(fd.get(), "a");
  if (!log) throw SystemError("fdopen " + log_path.string(), errno);
  fd.release();  // the stream owns it for the engine's life
  sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_base<spdlog::details::console_nullmutex>>(log));
  // In a terminal, `mycompose engine` also shows its log (started by the CLI, stderr already
  // goes to engine.log).
  if (::isatty(STDERR_FILENO)) sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_st>());
  auto logger = std::make_shared<spdlog::logger>("engine", sinks.begin(), sinks.end());
  logger->set_level(parse_level(options_.log_level));
  logger->flush_on(spdlog::level::debug);  // a log read after a crash must be complete
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l [%P] %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
}

void Engine::start() {
  take_lock();
  open_log();
  spdlog::info("engine {} starting for {} (pid {})", MYCOMPOSE_VERSION, options_.root.string(), ::getpid());
  // Orphaned container processes (a two-step init, an exec'd process) become our children
  // instead of lingering as zombies under a PID 1 that does not reap.
  check_syscall(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl PR_SET_CHILD_SUBREAPER");
  ::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is seen as a write error

  uv_signal_init(&loop_, &sig_term_);
  uv_signal_init(&loop_, &sig_int_);
  uv_signal_init(&loop_, &sig_chld_);
  signals_open_ = true;
  sig_term_.data = sig_int_.data = sig_chld_.data = this;
  auto on_stop = [](uv_signal_t* h, int sig) {
    spdlog::info("engine: signal {}: shutting down (containers keep running)", sig);
    static_cast<Engine*>(h->data)->shutdown();
  };
  uv_signal_start(&sig_term_, on_stop, SIGTERM);
  uv_signal_start(&sig_int_, on_stop, SIGINT);
  uv_signal_start(&sig_chld_, [](uv_signal_t* h, int) { static_cast<Engine*>(h->data)->reap_children(); }, SIGCHLD);

  supervisor_ = std::make_unique<Supervisor>(&loop_, runtime_, events_, options_.root / "supervisor");
  add_core_routes();
  for (auto& [name, ext] : extensions()) {
    spdlog::debug("engine: extension {}", name);
    ext(*this);
  }
  supervisor_->adopt_all();
  server_ = std::make_unique<HttpServer>(&loop_, router_);
  server_->listen(options_.root / kSocketFile, kSocketMode);
  // Children that exited before SIGCHLD was watched.
  reap_children();
  events_.publish("engine", "start", std::to_string(::getpid()));
  spdlog::info("engine: serving on {}", (options_.root / kSocketFile).string());
}

int Engine::run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  spdlog::info("engine: stopped");
  spdlog::default_logger()->flush();
  return 0;
}

void Engine::shutdown() {
  if (shutting_down_ || !server_) return;
  shutting_down_ = true;
  events_.publish("engine", "shutdown", std::to_string(::getpid()));
  for (auto& cb : shutdown_callbacks_) cb();
  workers_->close();
  server_->close();
  std::error_code ec;
  stdfs::remove(options_.root / kSocketFile, ec);
  supervisor_->close();
  if (signals_open_) {
    for (uv_signal_t* s : {&sig_term_, &sig_int_, &sig_chld_}) uv_close(reinterpret_cast<uv_handle_t*>(s), nullptr);
    signals_open_ = false;
  }
  uv_stop(&loop_);
}

void Engine::on_child_exit(pid_t pid, std::function<void(int)> callback) { child_callbacks_[pid] = std::move(callback); }

void Engine::reap_children() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    spdlog::debug("engine: reaped pid {} (status {:#x})", pid, status);
    if (auto it = child_callbacks_.find(pid); it != child_callbacks_.end()) {
      auto cb = std::move(it->second);
      child_callbacks_.erase(it);
      cb(status);
    }
    if (supervisor_) supervisor_->child_reaped(pid, status);
  }
}

void Engine::add_core_routes() {
  router_.add("GET /_ping", [](Request&, const std::shared_ptr<Responder>& r) { r->reply_text(200, "OK"); });
  router_.add("HEAD /_ping", [](Request&, const std::shared_ptr<Responder>& r) { r->reply_text(200, ""); });
  router_.add("GET /version", [this](Request&, const std::shared_ptr<Responder>& r) {
    utsname u{};
    ::uname(&u);
    r->reply(200, json{{"Version", MYCOMPOSE_VERSION},
                       {"ApiVersion", kApiVersion},
                       {"Os", "linux"},
                       {"Arch", u.machine},
                       {"KernelVersion", u.release},
                       {"Pid", ::getpid()},
                       {"Root", options_.root.string()}});
  });
  // What the engine holds right now: for `engine` debugging and for tests to wait on.
  router_.add("GET /info", [this](Request&, const std::shared_ptr<Responder>& r) {
    json api = json::object();
    if (server_) {
      auto st = server_->stats();
      api = {{"MaxConnections", st.max_connections}, {"Refused", st.refused},       {"Evicted", st.evicted},
             {"TimedOut", st.timed_out},              {"Dropped", st.dropped},       {"WriteBacklog", st.write_backlog},
             {"InputHeld", st.input_held}};
    }
    auto w = workers_->counts();
    r->reply(200, json{{"Pid", ::getpid()},
                       {"Root", options_.root.string()},
                       {"Connections", server_ ? server_->connection_count() : 0},
                       {"Api", api},
                       {"Workers", {{"QueriesRunning", w.queries_running},
                                    {"QueriesWaiting", w.queries_waiting},
                                    {"OperationsRunning", w.operations_running},
                                    {"OperationsWaiting", w.operations_waiting}}},
                       {"EventListeners", events_.listener_count()},
                       {"Supervised", supervisor_->list().size()},
                       {"Routes", router_.routes()}});
  });
  router_.add("GET /events", [this](Request& req, const std::shared_ptr<Responder>& r) {
    std::string type = req.query("type");  // optional filter: container, engine, network...
    r->start_stream();
    auto sub = std::make_shared<EventBus::Subscription>();
    std::weak_ptr<Responder> weak = r;
    *sub = events_.subscribe([weak, type](const json& ev) {
      if (!type.empty() && ev.value("Type", "") != type) return;
      if (auto resp = weak.lock()) resp->send_line(ev);
    });
    r->on_close([sub] { sub->reset(); });
  });
  router_.add("POST /shutdown", [this](Request&, const std::shared_ptr<Responder>& r) {
    r->reply(200, json{{"message", "engine shutting down"}});
    // After this callback: the answer is written before the connections close.
    UvTimer::open(&loop_, [this](UvTimer& t) {
      shutdown();
      t.close();
    })->start(0);
  });

  // Supervision of containers made by the runtime under this root.
  router_.add("GET /supervisor/containers", [this](Request&, const std::shared_ptr<Responder>& r) {
    json out = json::array();
    for (const auto& c : supervisor_->list()) out.push_back(c.to_json());
    r->reply(200, out);
  });
  router_.add("GET /supervisor/containers/{id}", [this](Request& req, const std::shared_ptr<Responder>& r) {
    auto c = supervisor_->find(req.param("id"));
    if (!c) throw HttpError(404, "container \"" + req.param("id") + "\" is not supervised");
    r->reply(200, c->to_json());
  });
  router_.add("POST /supervisor/containers/{id}", [this](Request& req, const std::shared_ptr<Responder>& r) {
    json body = req.json_body();
    RestartPolicy policy;
    try {
      policy = RestartPolicy::parse(body.value("restart", "no"));
    } catch (const Error& e) {
      throw HttpError(400, e.what());
    }
    const std::string& id = req.param("id");
    try {
      supervisor_->watch(id, policy);
    } catch (const HttpError&) {
      throw;
    } catch (const Error& e) {
      throw HttpError(404, e.what());
    }
    r->reply(200, supervisor_->find(id)->to_json());
  });
  router_.add("POST /supervisor/containers/{id}/stopped", [this](Request& req, const std::shared_ptr<Responder>& r) {
    supervisor_->mark_stopped_by_user(req.param("id"));
    r->reply_empty(204);
  });
  router_.add("DELETE /supervisor/containers/{id}", [this](Request& req, const std::shared_ptr<Responder>& r) {
    supervisor_->forget(req.param("id"));
    r->reply_empty(204);
  });
}

}  // namespace mycompose::daemon
