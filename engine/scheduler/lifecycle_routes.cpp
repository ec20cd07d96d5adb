// The lifecycle routes: POST /projects/{name}/{create,start,stop,restart,kill,pause,unpause,rm}
// run on the project's operation thread (ProjectServices::run); the read-only ones
// (containers, top, stats, the project list) on the query threads, wait and events from the
// loop.
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>

#include "attach_stdin.hpp"
#include "event_history.hpp"
#include "lifecycle.hpp"
#include "log_file.hpp"
#include "lifecycle_info.hpp"
#include "lifecycle_status.hpp"
#include "mycompose/common/human_size.hpp"
#include "mycompose/net/network_manager.hpp"
#include "project_services.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

double now_seconds() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

std::optional<std::chrono::seconds> timeout_of(const json& o) {
  if (!o.contains("timeout") || o["timeout"].is_null()) return std::nullopt;
  return std::chrono::seconds(o["timeout"].get<int>());
}

// Progress lines docker compose does not print for this command (rm prints only "Removed"),
// and restart's words: "Restarting" then "Started".
ConvergeHooks without(const ConvergeHooks& hooks, std::set<std::string> statuses, bool restarting = false) {
  ConvergeHooks h = hooks;
  h.progress = [inner = hooks.progress, statuses, restarting](const ProgressEvent& e) {
    if (!inner || statuses.count(e.status)) return;
    if (!restarting || e.status != "Starting") return inner(e);
    ProgressEvent renamed = e;
    renamed.status = "Restarting";
    inner(renamed);
  };
  return h;
}

// Container events of lifecycle commands, with the record's name, image and labels so an
// `events` follower can tell the project even once the container is gone.
Lifecycle::EventHook event_hook(ProjectServices& services) {
  return [&services](const std::string& action, const ContainerRecord& c, const json& attributes) {
    json attrs = attributes;
    attrs["name"] = c.name;
    attrs["image"] = c.image;
    for (const auto& [k, v] : c.labels) attrs[k] = v;
    services.queue.post([&services, action, id = c.id, attrs] { services.engine.events().publish("container", action, id, attrs); });
  };
}

std::vector<std::string> services_of(const json& o) { return o.value("services", std::vector<std::string>{}); }

std::vector<ContainerRecord> project_containers(const ContainerStore& store, const std::string& project) {
  std::vector<ContainerRecord> out;
  for (auto& c : store.list(project))
    if (c.project == project) out.push_back(std::move(c));
  return out;
}

// Posts `verb` to a worker with a Lifecycle of the request's project.
void add_verb(daemon::Engine& engine, ProjectServices& services, const std::string& verb,
              std::function<void(Lifecycle&, const json& options, json& result)> op,
              std::set<std::string> hidden_statuses = {}) {
  const stdfs::path root = engine.root();
  engine.router().add("POST /projects/{name}/" + verb, [&services, root, op, hidden_statuses, verb](daemon::Request& req,
                                                                                              const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    const json o = options_from(body);
    const bool restarting = verb == "restart";
    services.run(project.name, out, [&services, project, o, root, op, hidden_statuses, restarting](const ConvergeHooks& hooks, json& result) {
      const ConvergeHooks h = without(hooks, hidden_statuses, restarting);
      ProjectState state(root, project, h);
      Lifecycle life(state, event_hook(services));
      op(life, o, result);
    });
  });
}

// A `wait` in progress: polls its containers from the loop until one has stopped.
struct Waiter {
  uv_timer_t timer;
  std::shared_ptr<daemon::Responder> out;
  std::shared_ptr<ContainerStore> store;
  std::vector<ContainerRecord> containers;
  bool closing = false;

  void close() {
    if (closing) return;
    closing = true;
    uv_timer_stop(&timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), [](uv_handle_t* h) { delete static_cast<Waiter*>(h->data); });
  }
  void poll() {
    if (out->closed()) return close();
    for (const auto& c : containers) {
      runtime::ContainerState st;
      try {
        st = store->state(c.id);
      } catch (const std::exception&) {
        st.status = "stopped";  // removed meanwhile
      }
      if (st.status != "stopped") continue;
      out->reply(200, json{{"Name", c.name}, {"Service", c.service}, {"ExitCode", st.exit_code.value_or(-1)}});
      return close();
    }
  }
};


// The verbs that change containers, each a worker job with progress (add_verb).
void install_verb_routes(daemon::Engine& engine, ProjectServices& services) {
  add_verb(engine, services, "create", [](Lifecycle& life, const json& o, json&) {
    PlanOptions plan;
    plan.services = services_of(o);
    plan.no_deps = o.value("no_deps", false);
    plan.scale = o.value("scale", std::map<std::string, int>{});
    ReconcileOptions rec;
    rec.force_recreate = o.value("force_recreate", false);
    rec.no_recreate = o.value("no_recreate", false);
    rec.remove_orphans = o.value("remove_orphans", false);
    rec.ignore_orphans = o.value("ignore_orphans", false);
    rec.named = {plan.services.begin(), plan.services.end()};
    life.create(plan, rec, o.value("recreate_volumes", std::vector<std::string>{}));
  });
  add_verb(engine, services, "start", [](Lifecycle& life, const json& o, json&) { life.start(services_of(o)); });
  add_verb(engine, services, "stop", [](Lifecycle& life, const json& o, json&) { life.stop(services_of(o), timeout_of(o)); });
  add_verb(engine, services, "restart",
           [](Lifecycle& life, const json& o, json&) { life.restart(services_of(o), o.value("no_deps", false), timeout_of(o)); },
           {"Stopping", "Stopped"});
  add_verb(engine, services, "kill", [](Lifecycle& life, const json& o, json&) { life.kill(services_of(o), o.value("signal", "SIGKILL")); });
  add_verb(engine, services, "pause", [](Lifecycle& life, const json& o, json&) { life.pause(services_of(o)); });
  add_verb(engine, services, "unpause", [](Lifecycle& life, const json& o, json&) { life.unpause(services_of(o)); });
  add_verb(
      engine, services, "rm",
      [](Lifecycle& life, const json& o, json& result) {
        result["removed"] = life.remove(o.value("containers", std::vector<std::string>{}), o.value("volumes", false));
      },
      {"Stopping", "Stopped"});
}

// What ps, ls, top and stats read, answered from a worker.
void install_listing_routes(daemon::Engine& engine, const stdfs::path& root) {
  // docker compose ps --format json's objects, every container of the project (the CLI filters).
  engine.router().add("GET /projects/{name}/containers", [&engine, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    std::map<std::string, daemon::SupervisedContainer> supervised;  // the supervisor lives on the loop: ask it here
    for (auto& c : engine.supervisor().list()) supervised[c.id] = c;
    answer_from_worker(engine, out, [root, project = req.param("name"), supervised] {
      const ContainerStore store(root);
      SummaryContext ctx;
      ctx.now = now_seconds();
      ctx.networks = net::NetworkManager(root).list();
      json list = json::array();
      for (const auto& c : project_containers(store, project)) {
        SummaryContext mine = ctx;
        if (auto sup = supervised.find(c.id); sup != supervised.end()) {
          mine.supervisor_status = sup->second.status;
          mine.supervisor_exit_code = sup->second.exit_code;
        }
        list.push_back(container_summary(store, c, mine));
      }
      return list;
    });
  });

  // `ls`: every project that has containers, from their labels.
  engine.router().add("GET /projects", [&engine, root](daemon::Request&, const std::shared_ptr<daemon::Responder>& out) {
    answer_from_worker(engine, out, [root] {
      struct Entry {
        std::map<std::string, int> states;
        std::string config_files;
      };
      const ContainerStore store(root);
      std::map<std::string, Entry> projects;
      for (const auto& c : store.list()) {
        auto& e = projects[c.project];
        std::string status = "exited";
        try {
          status = store.state(c.id).status;
        } catch (const std::exception&) {
        }
        if (status == "stopped") status = "exited";
        ++e.states[status];
        auto files = c.labels.find("com.docker.compose.project.config_files");
        if (files != c.labels.end() && e.config_files.empty()) e.config_files = files->second;
      }
      json list = json::array();
      for (const auto& [name, e] : projects) list.push_back({{"Name", name}, {"States", e.states}, {"ConfigFiles", e.config_files}});
      return list;
    });
  });

  engine.router().add("GET /projects/{name}/top", [&engine, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    answer_from_worker(engine, out, [root, project = req.param("name")] {
      ContainerStore store(root);
      json list = json::array();
      for (const auto& c : project_containers(store, project)) {
        const std::string status = store.state(c.id).status;
        if (status != "running" && status != "paused") continue;
        json t = container_top(store, c);
        t["Name"] = c.name;
        t["Service"] = c.service;
        list.push_back(t);
      }
      return list;
    });
  });

  engine.router().add("GET /projects/{name}/stats", [&engine, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    answer_from_worker(engine, out, [root, project = req.param("name")] {
      ContainerStore store(root);
      json list = json::array();
      for (const auto& c : project_containers(store, project)) {
        json s = container_stats(store, c);
        s["Service"] = c.service;
        // What does not depend on a second sample, worded as docker stats does; CPU % is the
        // client's (the difference of two samples).
        const double usage = s["memory_usage"].get<double>(), limit = s["memory_limit"].get<double>();
        s["MemUsage"] = bytes_size(usage) + " / " + bytes_size(limit);
        char perc[32];
        std::snprintf(perc, sizeof perc, "%.2f%%", limit > 0 ? usage / limit * 100 : 0.0);
        s["MemPerc"] = perc;
        s["NetIO"] = human_size(s["net_rx"].get<double>(), 3) + " / " + human_size(s["net_tx"].get<double>(), 3);
        s["BlockIO"] = human_size(s["block_read"].get<double>(), 3) + " / " + human_size(s["block_write"].get<double>(), 3);
        s["PIDs"] = std::to_string(s["pids"].get<unsigned long long>());
        list.push_back(s);
      }
      return list;
    });
  });
}

void install_wait_route(daemon::Engine& engine, const std::shared_ptr<ContainerStore>& store) {
  // Answers once the first container of the given services has stopped: its exit code.
  engine.router().add("POST /projects/{name}/wait", [&engine, store](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const auto wanted = body.value("services", std::vector<std::string>{});
    auto* w = new Waiter;
    w->out = out;
    w->store = store;
    for (const auto& c : project_containers(*store, req.param("name")))
      if (wanted.empty() || std::find(wanted.begin(), wanted.end(), c.service) != wanted.end()) {
        auto oneoff = c.labels.find("com.docker.compose.oneoff");
        if (oneoff == c.labels.end() || oneoff->second != "True") w->containers.push_back(c);
      }
    if (w->containers.empty()) {
      delete w;
      throw daemon::HttpError(404, "no containers for project \"" + req.param("name") + "\"");
    }
    uv_timer_init(engine.loop(), &w->timer);
    w->timer.data = w;
    out->on_close([w] { w->close(); });
    uv_timer_start(&w->timer, [](uv_timer_t* t) { static_cast<Waiter*>(t->data)->poll(); }, 0, 100);
  });
}

void install_event_routes(daemon::Engine& engine, const std::shared_ptr<ContainerStore>& store) {
  // The engine's container events of this project, as docker compose events prints them;
  // ?since= and ?until= as `logs` takes them.
  auto history = std::make_shared<EventHistory>(engine.events());
  engine.on_shutdown([history] { history->close(); });
  engine.router().add("GET /projects/{name}/events", [&engine, store, history](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    EventQuery q;
    q.project = req.param("name");
    std::string list = req.query("services");
    for (std::size_t start = 0; start < list.size();) {
      auto comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) q.services.insert(list.substr(start, comma - start));
      start = comma + 1;
    }
    const std::int64_t now = unix_now_ns();
    try {
      if (!req.query("since").empty()) q.since = parse_time_filter(req.query("since"), now);
      if (!req.query("until").empty()) q.until = parse_time_filter(req.query("until"), now);
    } catch (const Error& e) {
      throw daemon::HttpError(400, e.what());
    }
    serve_project_events(engine, *history, store, q, out);
  });
}

}  // namespace

void install_lifecycle_routes(daemon::Engine& engine, ProjectServices& services) {
  const stdfs::path root = engine.root();
  auto store = std::make_shared<ContainerStore>(root);  // the loop's own, for wait and events (small reads)
  install_attach_routes(engine, store);
  install_verb_routes(engine, services);
  install_listing_routes(engine, root);
  install_wait_route(engine, store);
  install_event_routes(engine, store);
}

}  // namespace mycompose::scheduler
