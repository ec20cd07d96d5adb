// POST /projects/{name}/logs: a project's container output as NDJSON, from the json-file
// logs and, with follow, live from the engine's capture (new containers of the project join
// the stream; it ends when the client goes away). POST /projects/{name}/attach/stop: what a
// foreground `up` asks for on Ctrl-C or --abort-on-container-exit.
//
// Lines: first {"containers": [{"container","service"}…]} (those selected now), then
// {"container","service","stream","time","line"[,"partial":true]}; with follow also
// {"container","service","event":"attach","status"} for each container followed, then
// "start", "die" (with "exit_code") and "destroy" as its state changes.
#include <algorithm>
#include <deque>
#include <set>

#include <spdlog/spdlog.h>

#include "log_capture.hpp"
#include "log_cursor.hpp"
#include "log_output.hpp"
#include "mycompose/common/uv_object.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/json_limits.hpp"
#include "mycompose/daemon/restart_policy.hpp"
#include "mycompose/daemon/supervisor.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "project_services.hpp"
#include "project_state.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::uint64_t kStatePollMs = 200;
// Below the server's fair share (server.hpp), so a follower is never the client dropped.
constexpr std::size_t kHighBacklog = 128 << 10;
constexpr std::size_t kBatchBytes = 32 << 10;
constexpr std::size_t kEntriesPerTurn = 4096;
constexpr std::size_t kMaxWaitingEvents = 256;

struct LogQuery {
  std::string project;
  std::set<std::string> services;  // empty: all
  int index = 0;                   // 0: every replica
  long long tail = -1;             // -1: all
  std::optional<std::int64_t> since, until;
  bool follow = false;
  bool attach = false;  // foreground up: a container without a log (driver none) is followed live

  bool selects(const ContainerRecord& r) const {
    if (r.project != project) return false;
    auto oneoff = r.labels.find("com.docker.compose.oneoff");
    if (oneoff != r.labels.end() && oneoff->second == "True") return false;
    if (!services.empty() && !services.count(r.service)) return false;
    return index <= 0 || r.number == index;
  }
  bool in_window(std::int64_t t) const { return (!since || t >= *since) && (!until || t <= *until); }
};

LogQuery query_from(const std::string& project, const json& o) {
  LogQuery q;
  q.project = project;
  for (const auto& s : o.value("services", std::vector<std::string>{})) q.services.insert(s);
  q.index = o.value("index", 0);
  q.follow = o.value("follow", false);
  q.attach = o.value("attach", false);
  const std::string tail = o.contains("tail") && o["tail"].is_number() ? std::to_string(o["tail"].get<long long>()) : o.value("tail", "all");
  if (tail != "all" && !tail.empty()) {
    try {
      q.tail = std::stoll(tail);
    } catch (const std::exception&) {
      throw daemon::HttpError(400, "invalid tail \"" + tail + "\": expected a number or \"all\"");
    }
    if (q.tail < 0) q.tail = -1;
  }
  const std::int64_t now = unix_now_ns();
  try {
    if (!o.value("since", "").empty()) q.since = parse_time_filter(o["since"].get<std::string>(), now);
    if (!o.value("until", "").empty()) q.until = parse_time_filter(o["until"].get<std::string>(), now);
  } catch (const Error& e) {
    throw daemon::HttpError(400, e.what());
  }
  return q;
}

std::optional<ContainerRecord> read_record(const stdfs::path& root, const std::string& id) {
  try {
    return ContainerRecord::from_json(parse_json_bounded(fs::read_file(root / "containers" / id / "container.json", 1 << 20)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json entry_line(const ContainerRecord& c, const LogEntry& e) {
  json j = {{"container", c.name}, {"service", c.service}, {"stream", e.stream}, {"time", format_rfc3339(e.time_ns, Fraction::nano_fixed)}};
  const bool whole = !e.text.empty() && e.text.back() == '\n';
  j["line"] = whole ? e.text.substr(0, e.text.size() - 1) : e.text;
  if (!whole) j["partial"] = true;
  return j;
}

json event_line(const ContainerRecord& c, const std::string& event) {
  return {{"container", c.name}, {"service", c.service}, {"event", event}};
}

// One `logs` answer: history from the json-file logs, then with follow the live part.
//
// The client sets the pace. Entries go out while the connection's backlog is small; past
// kHighBacklog a container's entries are no longer pushed as they come: the follower keeps
// its place in the log (LogCursor) and reads on from there once the client has taken what
// was queued, then is live again. So memory stays bounded, and a slow reader (a pipe read
// slowly, a terminal) gets every line, in order, instead of being dropped. A container's
// events (attach, die…) wait for its lines before them.
class LogStream : public std::enable_shared_from_this<LogStream> {
 public:
  LogStream(uv_loop_t* loop, stdfs::path root, std::shared_ptr<LogCapture> capture, LogQuery q, std::weak_ptr<daemon::Responder> out,
            const daemon::Supervisor* supervisor)
      : loop_(loop), root_(std::move(root)), runtime_(root_ / "runtime"), capture_(std::move(capture)), q_(std::move(q)), out_(std::move(out)),
        supervisor_(supervisor) {}
  ~LogStream() { stop(); }

  void start(const std::vector<ContainerRecord>& containers, const std::shared_ptr<daemon::Responder>& out) {
    std::weak_ptr<LogStream> weak = weak_from_this();
    out->on_drain([weak] {
      if (auto s = weak.lock()) s->on_drained();
    });
    turn_ = UvTimer::open(loop_, [this](UvTimer&) { pump(); });
    for (const auto& c : containers) track(c, true);
    if (q_.follow) {
      sub_ = capture_->subscribe([this](const std::string& id, const LogEntry& e, const LogPosition* at) { on_entry(id, e, at); });
      timer_ = UvTimer::open(loop_, [this](UvTimer&) { poll(); });
      timer_->start(kStatePollMs, kStatePollMs);
    }
    pump();
  }

  void stop() {
    stopped_ = true;
    sub_.reset();
    for (UvTimer** t : {&timer_, &turn_}) {
      if (!*t) continue;
      (*t)->close();
      *t = nullptr;
    }
  }

 private:
  struct Tracked {
    ContainerRecord record;
    std::string status;
    int restarts = 0;          // the Supervisor's count when last polled
    bool followed = false;     // its state changes are reported (follow, and it exists)
    std::unique_ptr<LogCursor> cursor;  // behind: its entries are read from its log
    LogPosition sent;          // live: where the last entry sent ends in its log
    std::optional<LogPosition> limit;   // without follow: the end of its log at the request
    std::deque<std::pair<LogPosition, json>> events;  // waiting for the cursor to pass them
    std::size_t order = 0;     // when it was tracked
  };

  stdfs::path log_of(const std::string& id) const { return json_log_path(root_ / "containers" / id); }

  int restart_count(const std::string& id) const {
    auto w = supervisor_ ? supervisor_->find(id) : std::nullopt;
    return w ? w->restart_count : 0;
  }

  bool restarts(const std::string& id, std::optional<int> code) const {
    auto w = supervisor_ ? supervisor_->find(id) : std::nullopt;
    return w && (w->status == "restarting" ||
                 daemon::should_restart(w->policy, code.value_or(-1), w->restart_count, w->stopped_by_user));
  }

  // restarting: its restart policy brings it back (foreground up stays attached to it).
  void send_die(Tracked& t, const std::string& id, std::optional<int> code, bool restarting) {
    capture_->drain(id);  // its last lines before its exit
    json j = event_line(t.record, "die");
    if (code) j["exit_code"] = *code;
    if (restarting) j["restarting"] = true;
    event(t, std::move(j));
  }

  void send(const json& j) {
    if (auto out = out_.lock()) out->send_line(j);
  }

  std::string status_of(const std::string& id, std::optional<int>* exit_code = nullptr) {
    try {
      auto st = runtime_.state(id);
      if (exit_code) *exit_code = st.exit_code;
      return st.status;
    } catch (const std::exception&) {
      return "";  // removed
    }
  }

  // history: one of the containers of the request (--tail applies); else one found later,
  // read from its first entry.
  void track(const ContainerRecord& c, bool history) {
    // `logs` of a container without a log (driver none): warned about once (serve_logs), else
    // left out, as docker compose leaves it; foreground up still shows what it prints.
    if (!q_.attach && capture_->config(c.id).driver == "none") {
      foreign_.insert(c.id);
      return;
    }
    std::optional<int> code;
    const std::string status = status_of(c.id, &code);
    if (q_.follow && status.empty() && !history) return;
    if (q_.follow) capture_->attach(c.id);
    Tracked t{c, status, restart_count(c.id)};
    t.order = next_order_++;
    t.followed = q_.follow && !status.empty();
    if (capture_->config(c.id).driver != "none") {
      const stdfs::path log = log_of(c.id);
      if (!q_.follow) t.limit = capture_->position(c.id).value_or(log_end(log));
      std::optional<LogPosition> from;
      if (history && q_.tail >= 0) from = tail_position(log, static_cast<std::size_t>(q_.tail), t.limit);
      t.cursor = std::make_unique<LogCursor>(log, from, t.limit);
    } else if (history && q_.attach) {
      // No log to read the history from: what the capture kept of it, before the attach event.
      if (auto out = out_.lock())
        for (const auto& e : capture_->recent(c.id))
          if (q_.in_window(e.time_ns)) out->send_line(entry_line(c, e));
    }
    Tracked& ref = tracked_[c.id] = std::move(t);
    if (!ref.followed) return;
    json j = event_line(c, "attach");
    j["status"] = status;
    if (status == "stopped" && code) j["exit_code"] = *code;
    if (status == "stopped" && restarts(c.id, code)) j["restarting"] = true;
    event(ref, std::move(j));
  }

  // A container's event goes out after its entries before it.
  void event(Tracked& t, json j) {
    if (!t.cursor) {
      send(j);
      return;
    }
    t.events.emplace_back(capture_->position(t.record.id).value_or(log_end(log_of(t.record.id))), std::move(j));
    if (t.events.size() > kMaxWaitingEvents) {  // a restart loop while the client lags: bounded
      send(t.events.front().second);
      t.events.pop_front();
    }
  }

  // The events the cursor has passed (all of them once it is gone).
  void release_events(Tracked& t, std::string& batch) {
    while (!t.events.empty()) {
      const LogPosition at = t.events.front().first;
      if (t.cursor) {
        const LogPosition now = t.cursor->position();
        const bool passed = at.ino == 0 || t.cursor->finished(at.ino) || (now.ino == at.ino && now.offset >= at.offset);
        if (!passed) return;
      }
      append(batch, t.events.front().second);
      t.events.pop_front();
    }
  }

  static void append(std::string& batch, const json& j) {
    batch += j.dump(-1, ' ', false, json::error_handler_t::replace);
    batch += '\n';
  }

  void on_entry(const std::string& id, const LogEntry& e, const LogPosition* at) {
    if (stopped_) return;
    auto it = tracked_.find(id);
    if (it == tracked_.end()) {
      if (foreign_.count(id)) return;
      auto rec = read_record(root_, id);
      if (!rec || !q_.selects(*rec)) {
        foreign_.insert(id);
        return;
      }
      track(*rec, false);  // a new container of the project (scale, recreate)
      it = tracked_.find(id);
      if (it == tracked_.end()) return;
      if (it->second.cursor) {  // this entry is in its log: the cursor reads it
        schedule_turn();
        return;
      }
    }
    Tracked& t = it->second;
    if (t.cursor) return;  // behind: the cursor reads it from the log
    auto out = out_.lock();
    if (!out) return;
    if (at && out->backlog() >= kHighBacklog) {
      // The client lags: from here on this container's entries come from its log.
      t.cursor = std::make_unique<LogCursor>(log_of(id), t.sent);
      waiting_ = true;
      return;
    }
    if (q_.in_window(e.time_ns)) out->send_line(entry_line(t.record, e));
    if (at) t.sent = *at;
  }

  void on_drained() {
    if (!waiting_) return;
    waiting_ = false;
    pump();
  }

  void schedule_turn() {
    if (turn_ && !turn_->active()) turn_->start(0);
  }

  // Sends what the cursors have, oldest entry first across containers, while the client
  // keeps up; ends the answer once every log is read without follow.
  void pump() {
    if (stopped_) return;
    auto self = shared_from_this();  // the answer's end may release this
    auto out = out_.lock();
    if (!out || out->closed()) return;
    std::string batch;
    auto flush = [&] {
      if (!batch.empty()) out->send_chunk(batch);
      batch.clear();
      return !stopped_ && !out->closed();
    };
    std::size_t budget = kEntriesPerTurn;
    for (;;) {
      if (batch.size() >= kBatchBytes && !flush()) return;
      if (out->backlog() + batch.size() >= kHighBacklog) {
        waiting_ = true;
        flush();
        return;
      }
      if (budget-- == 0) {  // one stream does not hold the loop
        if (flush()) schedule_turn();
        return;
      }
      Tracked* oldest = nullptr;
      const LogEntry* next = nullptr;
      std::vector<Tracked*> ended;
      for (auto& [id, t] : tracked_) {
        if (!t.cursor) continue;
        const LogEntry* e = t.cursor->peek();
        if (!e) {
          ended.push_back(&t);
          continue;
        }
        release_events(t, batch);
        if (!next || e->time_ns < next->time_ns) {
          oldest = &t;
          next = e;
        }
      }
      // Containers found at their log's end say so in the order they were tracked (the
      // request's order), not in the order of their ids: a foreground up reads the first
      // exit first, as it happened.
      std::sort(ended.begin(), ended.end(), [](const Tracked* a, const Tracked* b) { return a->order < b->order; });
      for (Tracked* t : ended) {
        // At the end of its log: live from here (follow), or done.
        t->sent = t->cursor->position();
        t->cursor.reset();
        release_events(*t, batch);
      }
      if (!oldest) break;
      if (q_.in_window(next->time_ns)) append(batch, entry_line(oldest->record, *next));
      oldest->cursor->next();
      release_events(*oldest, batch);
    }
    if (!flush()) return;
    if (!q_.follow) {
      stop();
      out->end_stream();
    }
  }

  void poll() {
    // Containers of the project that appeared without printing yet.
    if (++ticks_ % 5 == 0) {
      std::error_code ec;
      bool found = false;
      for (const auto& d : stdfs::directory_iterator(root_ / "containers", ec)) {
        const std::string id = d.path().filename().string();
        if (tracked_.count(id) || foreign_.count(id)) continue;
        auto rec = read_record(root_, id);
        if (!rec) continue;  // being created
        if (!q_.selects(*rec)) foreign_.insert(id);
        else {
          track(*rec, false);
          found = true;
        }
      }
      if (found) schedule_turn();
    }
    std::vector<std::string> gone;
    auto self = shared_from_this();  // a send may close the stream, and this with it
    for (auto& [id, t] : tracked_) {
      if (!t.followed) continue;
      std::optional<int> code;
      const std::string status = status_of(id, &code);
      const int restarts_now = restart_count(id);
      const bool was_up = t.status == "running" || t.status == "paused";
      const bool is_up = status == "running" || status == "paused";
      // Restarts made between two polls: each was an exit and a start we did not see.
      const int missed = std::max(0, restarts_now - t.restarts);
      t.restarts = restarts_now;
      if (missed == 0 && status == t.status) {
        if (stopped_) return;
        continue;
      }
      bool up = was_up;
      for (int i = 0; i < missed; ++i) {
        if (up) send_die(t, id, code, true);
        event(t, event_line(t.record, "start"));
        up = true;
      }
      if (up && !is_up) {
        send_die(t, id, code, restarts(id, code));
      } else if (!up && is_up) {
        event(t, event_line(t.record, "start"));
      }
      if (status.empty()) {
        event(t, event_line(t.record, "destroy"));
        t.followed = false;
        if (!t.cursor) gone.push_back(id);  // else kept until its last entries are read
      }
      t.status = status;
      if (stopped_) return;  // stopped while sending
    }
    for (const auto& id : gone) tracked_.erase(id);
  }

  uv_loop_t* loop_;
  stdfs::path root_;
  runtime::Runtime runtime_;
  std::shared_ptr<LogCapture> capture_;
  LogQuery q_;
  std::weak_ptr<daemon::Responder> out_;
  const daemon::Supervisor* supervisor_;
  LogCapture::Subscription sub_;
  UvTimer* timer_ = nullptr;  // state polls (follow); closed by stop()
  UvTimer* turn_ = nullptr;   // the next pump, on the loop's next turn
  bool stopped_ = false;
  bool waiting_ = false;         // for the client to take what is queued
  unsigned ticks_ = 0;
  std::map<std::string, Tracked> tracked_;
  std::size_t next_order_ = 0;
  std::set<std::string> foreign_;  // containers of other projects or services
};

void serve_logs(daemon::Engine& engine, const std::shared_ptr<LogCapture>& capture, const std::string& project, const json& options,
                const std::shared_ptr<daemon::Responder>& out) {
  LogQuery q = query_from(project, options);
  const stdfs::path root = engine.root();
  capture->sweep();  // a container made a moment ago is read before its log is
  std::vector<ContainerRecord> containers;
  std::vector<std::string> unreadable;  // as docker compose: a warning each, the others' logs go on
  for (auto& c : ContainerStore(root).list(project)) {
    if (!q.selects(c)) continue;
    if (!q.attach && capture->config(c.id).driver == "none") unreadable.push_back(c.name);
    else containers.push_back(std::move(c));
  }
  for (const auto& c : containers) capture->drain(c.id);  // what is in the pipe now belongs to the history
  if (q.follow && q.until && *q.until < unix_now_ns()) q.follow = false;
  out->start_stream();
  for (const auto& name : unreadable)
    out->send_line({{"warning", "Can't retrieve logs for \"" + name + "\": Error response from daemon: configured logging driver does not support reading"}});
  json selected = json::array();
  for (const auto& c : containers) selected.push_back({{"container", c.name}, {"service", c.service}});
  out->send_line({{"containers", selected}});
  auto stream = std::make_shared<LogStream>(engine.loop(), root, capture, q, out, &engine.supervisor());
  out->on_close([stream] { stream->stop(); });
  stream->start(containers, out);
}

// Stops the selected services' containers, dependents first (foreground up's Ctrl-C).
void stop_services(ProjectState& s, const compose::Project& project, const std::vector<std::string>& services,
                   std::optional<std::chrono::seconds> timeout) {
  std::vector<std::string> order;
  for (const auto& sp : make_plan(project).services) order.insert(order.begin(), sp.name);
  const auto containers = s.store.list(project.name);
  for (const auto& service : order) {
    if (!services.empty() && std::find(services.begin(), services.end(), service) == services.end()) continue;
    for (const auto& c : containers) {
      if (c.service != service) continue;
      const std::string status = s.store.state(c.id).status;
      if (status == "running" || status == "paused") {
        s.stop(c.id, c.name, timeout);
      } else {
        // As docker compose's stop: every container of the services, those already exited too.
        s.progress("Container " + c.name, "Stopping", ProgressEvent::State::Working);
        s.progress("Container " + c.name, "Stopped");
      }
    }
  }
}

}  // namespace

void install_log_routes(daemon::Engine& engine, ProjectServices& services) {
  auto capture = std::make_shared<LogCapture>(engine.loop(), engine.root());
  engine.on_shutdown([capture] { capture->close(); });
  services.container_created = [capture](const std::string& id) { capture->attach(id); };
  services.drain_output = [capture](const std::string& id) { capture->drain(id); };
  // Re-adoption: containers that ran while no engine did have their output waiting.
  capture->sweep();

  engine.router().add("POST /projects/{name}/logs", [&engine, capture](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    serve_logs(engine, capture, project.name, options_from(body), out);
  });
  const stdfs::path root = engine.root();
  engine.router().add("POST /projects/{name}/attach/stop", [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    const json o = options_from(body);
    const auto list = o.value("services", std::vector<std::string>{});
    std::optional<std::chrono::seconds> timeout;
    if (o.contains("timeout") && o["timeout"].is_number()) timeout = std::chrono::seconds(o["timeout"].get<int>());
    services.run(project.name, out, [project, list, timeout, root](const ConvergeHooks& hooks, json&) {
      ProjectState s(root, project, hooks);
      stop_services(s, project, list, timeout);
    });
  });
}

}  // namespace mycompose::scheduler
