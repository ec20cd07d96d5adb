// Container supervision on the engine loop: one pidfd + uv_poll per running init, one timer
// per pending restart.
#include "mycompose/daemon/supervisor.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <spdlog/spdlog.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::daemon {

using nlohmann::json;
namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Supervisor::Watch {
  SupervisedContainer info;
  RestartBackoff backoff;
  Clock::time_point started_at = Clock::now();
  std::string last_seen = "running";  // persisted: a death seen by no engine is reported once
  UniqueFd pidfd;
  uv_poll_t* poll = nullptr;   // owned by the loop until its close callback
  uv_timer_t* timer = nullptr;
};

namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Exit code as a shell reports it: the code, or 128 + signal.
std::optional<int> exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return std::nullopt;
}

bool alive(const std::string& status) { return status == "running" || status == "paused" || status == "created"; }

}  // namespace

json SupervisedContainer::to_json() const {
  json j{{"id", id},
         {"status", status},
         {"pid", pid},
         {"restartCount", restart_count},
         {"restartPolicy", policy.to_string()},
         {"stoppedByUser", stopped_by_user}};
  j["exitCode"] = exit_code ? json(*exit_code) : json(nullptr);
  if (status == "restarting") j["nextRestartDelayMs"] = next_restart_delay_ms;
  return j;
}

Supervisor::Supervisor(uv_loop_t* loop, runtime::Runtime& runtime, EventBus& events, stdfs::path state_dir)
    : loop_(loop), runtime_(runtime), events_(events), state_dir_(std::move(state_dir)) {
  restarter_ = recreate_from_bundle;
}

void Supervisor::recreate_from_bundle(runtime::Runtime& rt, const std::string& id) {
  runtime::ContainerState st = rt.state(id);
  rt.remove(id, true);
  runtime::CreateOptions opts;
  opts.bundle = st.bundle;
  rt.create(id, opts);
  rt.start(id);
}

Supervisor::~Supervisor() { close(); }

void Supervisor::stop_handles(Watch& w) {
  if (w.poll) {
    uv_poll_stop(w.poll);
    // The fd must stay open until libuv has let go of the poll handle.
    w.poll->data = new UniqueFd(std::move(w.pidfd));
    uv_close(reinterpret_cast<uv_handle_t*>(w.poll), [](uv_handle_t* h) {
      delete static_cast<UniqueFd*>(h->data);
      delete reinterpret_cast<uv_poll_t*>(h);
    });
    w.poll = nullptr;
  }
  w.pidfd.reset();
  if (w.timer) {
    uv_timer_stop(w.timer);
    uv_close(reinterpret_cast<uv_handle_t*>(w.timer), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    w.timer = nullptr;
  }
}

void Supervisor::close() {
  for (auto& [id, w] : watches_) stop_handles(*w);
  watches_.clear();
}

void Supervisor::save(const Watch& w) const {
  json j{{"policy", w.info.policy.to_string()},
         {"restartCount", w.info.restart_count},
         {"stoppedByUser", w.info.stopped_by_user},
         {"lastSeen", w.last_seen}};
  if (w.info.exit_code) j["exitCode"] = *w.info.exit_code;
  try {
    fs::make_dirs(state_dir_, 0700);
    fs::write_file_atomic(state_dir_ / (w.info.id + ".json"), j.dump() + "\n", 0600);
  } catch (const std::exception& e) {
    spdlog::error("supervisor: {}", e.what());
  }
}

void Supervisor::start_polling(Watch& w) {
  w.poll = new uv_poll_t;
  uv_poll_init(loop_, w.poll, w.pidfd.get());
  w.poll->data = this;  // the Watch is found by its handle: it may be gone by then
  uv_poll_start(w.poll, UV_READABLE, [](uv_poll_t* h, int, int) {
    auto* self = static_cast<Supervisor*>(h->data);
    for (auto& [id, watch] : self->watches_) {
      if (watch->poll == h) {
        self->on_exit(*watch);
        return;
      }
    }
  });
}

void Supervisor::watch(const std::string& id, RestartPolicy policy) {
  runtime::ContainerState st = runtime_.state(id);  // throws for an unknown container
  auto& slot = watches_[id];
  if (slot) stop_handles(*slot);
  slot = std::make_unique<Watch>();
  Watch& w = *slot;
  w.info.id = id;
  w.info.policy = policy;
  if (st.status == "created") {
    runtime_.start(id);
    st = runtime_.state(id);
    events_.publish("container", "start", id);
  }
  if (!alive(st.status)) {
    save(w);
    exited(w, st.exit_code, true);
    return;
  }
  UniqueFd fd(pidfd_open(st.pid));
  // Opened before re-checking the state: if the recorded init is still the one alive now,
  // the pidfd refers to it (a reused pid would not carry the recorded start time).
  st = runtime_.state(id);
  if (!fd || !alive(st.status)) {
    save(w);
    exited(w, st.exit_code, true);
    return;
  }
  w.pidfd = std::move(fd);
  w.info.pid = st.pid;
  w.info.status = "running";
  w.last_seen = "running";
  save(w);
  start_polling(w);
  spdlog::info("supervisor: watching {} (pid {}, restart {})", id, st.pid, policy.to_string());
}

void Supervisor::adopt_all() {
  std::vector<runtime::ContainerState> all;
  try {
    all = runtime_.list();
  } catch (const std::exception& e) {
    spdlog::warn("supervisor: cannot list containers: {}", e.what());
    return;
  }
  for (const auto& st : all) {
    try {
      adopt(st);
    } catch (const std::exception& e) {
      // One broken container folder must not keep the engine from starting.
      spdlog::error("supervisor: cannot adopt {}: {}", st.id, e.what());
    }
  }
}

void Supervisor::adopt(const runtime::ContainerState& st) {
  {
    json record;
    bool has_record = false;
    try {
      // A torn or garbage record is moved aside and the container adopted as if it had none.
      auto r = fs::read_record(state_dir_ / (st.id + ".json"), 65536, [](const json& j) {
        if (!j.is_object()) throw Error("not an object");
        // The fields adopt() reads, with their types.
        (void)j.value("policy", "no");
        (void)j.value("restartCount", 0);
        (void)j.value("stoppedByUser", false);
        (void)j.value("lastSeen", "running");
        if (j.contains("exitCode")) (void)j["exitCode"].get<int>();
        return j;
      });
      if (r) {
        record = std::move(*r);
        has_record = true;
      }
    } catch (const std::exception&) {
    }
    if (!has_record && !alive(st.status)) return;  // never supervised, nothing to report
    if (st.status == "created") return;            // not started by anyone yet
    RestartPolicy policy;
    try {
      policy = RestartPolicy::parse(has_record ? record.value("policy", "no") : "no");
    } catch (const Error&) {
    }
    auto w = std::make_unique<Watch>();
    w->info.id = st.id;
    w->info.policy = policy;
    w->info.restart_count = has_record ? record.value("restartCount", 0) : 0;
    w->info.stopped_by_user = has_record && record.value("stoppedByUser", false);
    w->last_seen = has_record ? record.value("lastSeen", "running") : "running";
    if (alive(st.status)) {
      UniqueFd fd(pidfd_open(st.pid));
      runtime::ContainerState again = runtime_.state(st.id);
      if (fd && alive(again.status)) {
        w->pidfd = std::move(fd);
        w->info.pid = again.pid;
        w->info.status = "running";
        w->last_seen = "running";
        Watch& ref = *w;
        watches_[st.id] = std::move(w);
        save(ref);
        start_polling(ref);
        events_.publish("container", "adopt", st.id, {{"pid", std::to_string(ref.info.pid)}});
        spdlog::info("supervisor: re-adopted {} (pid {})", st.id, ref.info.pid);
        return;
      }
    }
    // Dead: report it once (a previous engine saw it running), then apply its policy.
    bool report = w->last_seen == "running";
    bool pending_restart = w->last_seen == "restarting";
    if (has_record && record.contains("exitCode") && !report) w->info.exit_code = record["exitCode"].get<int>();
    std::optional<int> code = report ? runtime_.state(st.id).exit_code : w->info.exit_code;
    Watch& ref = *w;
    watches_[st.id] = std::move(w);
    if (report) spdlog::info("supervisor: {} exited while no engine ran (exit code {})", st.id, code ? std::to_string(*code) : "unknown");
    if (!report && !pending_restart) {
      // Already handled by an earlier engine. As Docker does at daemon start: `always`
      // comes back even after a user stop, `unless-stopped` unless the user stopped it,
      // others stay down.
      if (policy.mode == RestartPolicy::Mode::Always) ref.info.stopped_by_user = false;
      bool comes_back = policy.mode == RestartPolicy::Mode::Always ||
                        (policy.mode == RestartPolicy::Mode::UnlessStopped && !ref.info.stopped_by_user);
      if (!comes_back) {
        ref.info.status = "exited";
        ref.last_seen = "exited";
        return;
      }
    }
    exited(ref, code, report);
  }
}

void Supervisor::on_exit(Watch& w) {
  std::string id = w.info.id;
  pid_t pid = w.info.pid;
  std::optional<int> from_wait;
  siginfo_t si{};
  // Our child (or an orphan reparented to us): reap it here; otherwise the reaper did.
  if (w.pidfd && ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(w.pidfd.get()), &si, WEXITED | WNOHANG) == 0 &&
      si.si_pid == pid) {
    if (si.si_code == CLD_EXITED) from_wait = si.si_status;
    else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) from_wait = 128 + si.si_status;
  }
  if (auto it = reaped_.find(pid); it != reaped_.end()) {
    if (!from_wait) from_wait = exit_code_of(it->second);
    reaped_.erase(it);
  }
  stop_handles(w);
  std::optional<int> code;
  try {
    code = runtime_.state(id).exit_code;  // the init's record is the application's status
  } catch (const std::exception&) {
  }
  if (!code) code = from_wait;
  exited(w, code, true);
}

void Supervisor::exited(Watch& w, std::optional<int> exit_code, bool report) {
  auto ran_for = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - w.started_at);
  w.info.status = "exited";
  w.info.pid = 0;
  w.info.exit_code = exit_code;
  w.last_seen = "exited";
  if (report) {
    events_.publish("container", "die", w.info.id, {{"exitCode", exit_code ? std::to_string(*exit_code) : ""}});
    spdlog::info("supervisor: {} exited (code {})", w.info.id, exit_code ? std::to_string(*exit_code) : "unknown");
  }
  // An unknown exit status (killed while no engine was its parent) counts as a failure.
  int code = exit_code.value_or(-1);
  if (!should_restart(w.info.policy, code, w.info.restart_count, w.info.stopped_by_user)) {
    save(w);
    return;
  }
  auto delay = w.backoff.next(ran_for);
  w.info.status = "restarting";
  w.last_seen = "restarting";  // a new engine finishes the pending restart
  w.info.next_restart_delay_ms = delay.count();
  save(w);
  w.timer = new uv_timer_t;
  uv_timer_init(loop_, w.timer);
  w.timer->data = this;
  uv_timer_start(w.timer, [](uv_timer_t* t) {
    auto* self = static_cast<Supervisor*>(t->data);
    for (auto& [id, watch] : self->watches_) {
      if (watch->timer == t) {
        self->restart_now(id);
        return;
      }
    }
  }, static_cast<uint64_t>(delay.count()), 0);
}

void Supervisor::restart_now(std::string id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  Watch& w = *it->second;
  if (w.timer) {
    uv_close(reinterpret_cast<uv_handle_t*>(w.timer), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    w.timer = nullptr;
  }
  // Removed while it waited for its restart (`rm`, `down`): nothing left to bring back.
  if (!stdfs::exists(runtime_.root() / id)) {
    spdlog::info("supervisor: {} was removed, no longer supervised", id);
    forget(id);
    return;
  }
  long long delay = w.info.next_restart_delay_ms;
  w.info.restart_count++;
  try {
    restarter_(runtime_, id);
    runtime::ContainerState st = runtime_.state(id);
    // A container that fails at once may have exited again before we look (pid 0, or the
    // pid already gone): that run is reported like any other.
    UniqueFd fd(st.pid > 0 ? pidfd_open(st.pid) : -1);
    if (!fd && st.pid > 0 && errno != ESRCH) throw SystemError("pidfd_open of the init of " + id, errno);
    const bool already_exited = !fd;
    w.pidfd = std::move(fd);
    w.info.pid = st.pid;
    w.info.status = "running";
    w.started_at = Clock::now();
    w.last_seen = "running";
    save(w);
    events_.publish("container", "restart", id,
                    {{"restartCount", std::to_string(w.info.restart_count)}, {"delayMs", std::to_string(delay)}});
    events_.publish("container", "start", id);
    spdlog::info("supervisor: restarted {} (restart {} after {} ms)", id, w.info.restart_count, delay);
    if (already_exited) {
      std::optional<int> code;
      try {
        code = runtime_.state(id).exit_code;
      } catch (const std::exception&) {
      }
      exited(w, code, true);
      return;
    }
    start_polling(w);  // if it has already exited again, the poll reports it at once
  } catch (const std::exception& e) {
    spdlog::error("supervisor: restart of {} failed: {}", id, e.what());
    events_.publish("container", "die", id, {{"exitCode", ""}, {"error", e.what()}});
    w.info.status = "exited";
    w.info.pid = 0;
    w.last_seen = "exited";
    save(w);
    // A failed restart counts like a failed run: back off and try again per the policy.
    exited(w, std::nullopt, false);
  }
}

void Supervisor::mark_stopped_by_user(const std::string& id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  Watch& w = *it->second;
  w.info.stopped_by_user = true;
  if (w.timer) {  // a pending restart is cancelled
    stop_handles(w);
    w.info.status = "exited";
  }
  save(w);
}

void Supervisor::forget(const std::string& id_ref) {
  std::string id = id_ref;  // the caller's string may be the key erased below
  auto it = watches_.find(id);
  if (it != watches_.end()) {
    stop_handles(*it->second);
    watches_.erase(it);
  }
  std::error_code ec;
  stdfs::remove(state_dir_ / (id + ".json"), ec);
}

std::optional<SupervisedContainer> Supervisor::find(const std::string& id) const {
  auto it = watches_.find(id);
  if (it == watches_.end()) return std::nullopt;
  return it->second->info;
}

std::vector<SupervisedContainer> Supervisor::list() const {
  std::vector<SupervisedContainer> out;
  for (const auto& [id, w] : watches_) out.push_back(w->info);
  return out;
}

void Supervisor::child_reaped(pid_t pid, int wait_status) {
  for (const auto& [id, w] : watches_) {
    if (w->info.pid == pid && w->poll) {
      reaped_[pid] = wait_status;
      return;
    }
  }
}

}  // namespace mycompose::daemon
