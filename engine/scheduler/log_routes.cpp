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
#include <set>

#include <spdlog/spdlog.h>

#include "log_capture.hpp"
#include "log_output.hpp"
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
  const std::int64_t now = now_ns();
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
  json j = {{"container", c.name}, {"service", c.service}, {"stream", e.stream}, {"time", format_log_time(e.time_ns)}};
  const bool whole = !e.text.empty() && e.text.back() == '\n';
  j["line"] = whole ? e.text.substr(0, e.text.size() - 1) : e.text;
  if (!whole) j["partial"] = true;
  return j;
}

json event_line(const ContainerRecord& c, const std::string& event) {
  return {{"container", c.name}, {"service", c.service}, {"event", event}};
}

// One `logs -f` (or foreground `up`) stream: the live part.
class Follow : public std::enable_shared_from_this<Follow> {
 public:
  Follow(uv_loop_t* loop, stdfs::path root, std::shared_ptr<LogCapture> capture, LogQuery q, std::weak_ptr<daemon::Responder> out,
         const daemon::Supervisor* supervisor)
      : loop_(loop), root_(std::move(root)), runtime_(root_ / "runtime"), capture_(std::move(capture)), q_(std::move(q)), out_(std::move(out)),
        supervisor_(supervisor) {}
  ~Follow() { stop(); }

  void start(const std::vector<ContainerRecord>& containers) {
    for (const auto& c : containers) track(c);
    sub_ = capture_->subscribe([this](const std::string& id, const LogEntry& e) { on_entry(id, e); });
    timer_ = new uv_timer_t;
    uv_timer_init(loop_, timer_);
    timer_->data = this;
    uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<Follow*>(t->data)->poll(); }, kStatePollMs, kStatePollMs);
  }

  void stop() {
    sub_.reset();
    if (timer_) {
      uv_timer_stop(timer_);
      uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
      timer_ = nullptr;
    }
  }

 private:
  struct Tracked {
    ContainerRecord record;
    std::string status;
    int restarts = 0;  // the Supervisor's count when last polled
  };

  int restart_count(const std::string& id) const {
    auto w = supervisor_ ? supervisor_->find(id) : std::nullopt;
    return w ? w->restart_count : 0;
  }

  // restarting: its restart policy brings it back (foreground up stays attached to it).
  void send_die(const Tracked& t, const std::string& id, std::optional<int> code, bool restarting) {
    capture_->drain(id);  // its last lines before its exit
    json j = event_line(t.record, "die");
    if (code) j["exit_code"] = *code;
    if (restarting) j["restarting"] = true;
    send(j);
  }

  bool restarts(const std::string& id, std::optional<int> code) const {
    auto w = supervisor_ ? supervisor_->find(id) : std::nullopt;
    return w && (w->status == "restarting" ||
                 daemon::should_restart(w->policy, code.value_or(-1), w->restart_count, w->stopped_by_user));
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

  void track(const ContainerRecord& c) {
    std::optional<int> code;
    const std::string status = status_of(c.id, &code);
    if (status.empty()) return;
    tracked_[c.id] = Tracked{c, status, restart_count(c.id)};
    capture_->attach(c.id);
    json j = event_line(c, "attach");
    j["status"] = status;
    if (status == "stopped" && code) j["exit_code"] = *code;
    if (status == "stopped" && restarts(c.id, code)) j["restarting"] = true;
    send(j);
  }

  void on_entry(const std::string& id, const LogEntry& e) {
    auto it = tracked_.find(id);
    if (it == tracked_.end()) {
      if (foreign_.count(id)) return;
      auto rec = read_record(root_, id);
      if (!rec || !q_.selects(*rec)) {
        foreign_.insert(id);
        return;
      }
      track(*rec);  // a new container of the project (scale, recreate)
      it = tracked_.find(id);
      if (it == tracked_.end()) return;
    }
    if (q_.in_window(e.time_ns)) send(entry_line(it->second.record, e));
  }

  void poll() {
    // Containers of the project that appeared without printing yet.
    if (++ticks_ % 5 == 0) {
      std::error_code ec;
      for (const auto& d : stdfs::directory_iterator(root_ / "containers", ec)) {
        const std::string id = d.path().filename().string();
        if (tracked_.count(id) || foreign_.count(id)) continue;
        auto rec = read_record(root_, id);
        if (!rec) continue;  // being created
        if (!q_.selects(*rec)) foreign_.insert(id);
        else track(*rec);
      }
    }
    std::vector<std::string> gone;
    auto self = shared_from_this();  // a send may close the stream, and this with it
    for (auto& [id, t] : tracked_) {
      std::optional<int> code;
      const std::string status = status_of(id, &code);
      const int restarts_now = restart_count(id);
      const bool was_up = t.status == "running" || t.status == "paused";
      const bool is_up = status == "running" || status == "paused";
      // Restarts made between two polls: each was an exit and a start we did not see.
      const int missed = std::max(0, restarts_now - t.restarts);
      t.restarts = restarts_now;
      if (missed == 0 && status == t.status) {
        if (!timer_) return;  // stopped while sending
        continue;
      }
      bool up = was_up;
      for (int i = 0; i < missed; ++i) {
        if (up) send_die(t, id, code, true);
        send(event_line(t.record, "start"));
        up = true;
      }
      if (up && !is_up) {
        send_die(t, id, code, restarts(id, code));
      } else if (!up && is_up) {
        send(event_line(t.record, "start"));
      }
      if (status.empty()) {
        send(event_line(t.record, "destroy"));
        gone.push_back(id);
      }
      t.status = status;
      if (!timer_) return;  // stopped while sending
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
  uv_timer_t* timer_ = nullptr;
  unsigned ticks_ = 0;
  std::map<std::string, Tracked> tracked_;
  std::set<std::string> foreign_;  // containers of other projects or services
};

void serve_logs(daemon::Engine& engine, const std::shared_ptr<LogCapture>& capture, const std::string& project, const json& options,
                const std::shared_ptr<daemon::Responder>& out) {
  const LogQuery q = query_from(project, options);
  const stdfs::path root = engine.root();
  capture->sweep();  // a container made a moment ago is read before its log is
  std::vector<ContainerRecord> containers;
  for (auto& c : ContainerStore(root).list(project))
    if (q.selects(c)) containers.push_back(std::move(c));
  for (const auto& c : containers)
    if (!q.attach && capture->config(c.id).driver == "none")
      throw daemon::HttpError(501, "configured logging driver does not support reading");

  struct Line {
    std::int64_t time;
    json j;
  };
  std::vector<Line> history;
  for (const auto& c : containers) {
    capture->drain(c.id);  // what is in the pipe now belongs to the history
    auto entries = read_json_log(json_log_path(root / "containers" / c.id));
    std::size_t first = 0;
    if (q.tail >= 0 && entries.size() > static_cast<std::size_t>(q.tail)) first = entries.size() - static_cast<std::size_t>(q.tail);
    for (std::size_t i = first; i < entries.size(); ++i)
      if (q.in_window(entries[i].time_ns)) history.push_back({entries[i].time_ns, entry_line(c, entries[i])});
  }
  std::stable_sort(history.begin(), history.end(), [](const Line& a, const Line& b) { return a.time < b.time; });
  out->start_stream();
  json selected = json::array();
  for (const auto& c : containers) selected.push_back({{"container", c.name}, {"service", c.service}});
  out->send_line({{"containers", selected}});
  for (const auto& l : history) out->send_line(l.j);
  if (!q.follow || (q.until && *q.until < now_ns())) {
    out->end_stream();
    return;
  }
  auto follow = std::make_shared<Follow>(engine.loop(), root, capture, q, out, &engine.supervisor());
  follow->start(containers);
  out->on_close([follow] { follow->stop(); });
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
      if (status == "running" || status == "paused") s.stop(c.id, c.name, timeout);
    }
  }
}

}  // namespace

void install_log_routes(daemon::Engine& engine, ProjectServices& services) {
  auto capture = std::make_shared<LogCapture>(engine.loop(), engine.root());
  engine.on_shutdown([capture] { capture->close(); });
  services.container_created = [capture](const std::string& id) { capture->attach(id); };
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
