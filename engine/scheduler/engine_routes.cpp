#include "mycompose/scheduler/engine_routes.hpp"

#include <future>
#include <memory>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "mycompose/daemon/engine.hpp"
#include "mycompose/net/dns_server.hpp"
#include "mycompose/scheduler/converge.hpp"

namespace mycompose::scheduler {
namespace {

using nlohmann::json;

// Functions queued from worker threads to run on the engine's loop.
class LoopQueue {
 public:
  explicit LoopQueue(uv_loop_t* loop) : async_(new uv_async_t) {
    async_->data = this;
    uv_async_init(loop, async_, [](uv_async_t* a) { static_cast<LoopQueue*>(a->data)->drain(); });
    uv_unref(reinterpret_cast<uv_handle_t*>(async_));  // does not keep the loop alive
  }
  // False once closed (the engine is going away): f will not run.
  bool post(std::function<void()> f) {
    std::lock_guard<std::mutex> l(m_);
    if (!async_) return false;
    q_.push_back(std::move(f));
    uv_async_send(async_);
    return true;
  }
  // On the loop, at engine shutdown.
  void close() {
    std::lock_guard<std::mutex> l(m_);
    if (!async_) return;
    uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
    async_ = nullptr;
  }

 private:
  void drain() {
    std::vector<std::function<void()>> q;
    {
      std::lock_guard<std::mutex> l(m_);
      q.swap(q_);
    }
    for (auto& f : q) f();
  }
  uv_async_t* async_;
  std::mutex m_;
  std::vector<std::function<void()>> q_;
};

// Lives as long as the engine: DNS for project networks and the queue to the loop.
struct Projects {
  daemon::Engine& engine;
  LoopQueue queue;
  std::unique_ptr<net::DnsServer> dns_server;
  std::set<std::string> listening;  // networks the DNS serves
  std::mutex one_at_a_time;

  explicit Projects(daemon::Engine& e) : engine(e), queue(e.loop()), dns_server(std::make_unique<net::DnsServer>(e.loop())) {}
  void close() {
    dns_server.reset();
    queue.close();
  }

  ConvergeHooks hooks(const std::shared_ptr<daemon::Responder>& out) {
    ConvergeHooks h;
    h.endpoint_added = [this](const net::NetworkRecord& n, const net::Endpoint& ep, const std::vector<std::string>& names,
                              const std::string& container) {
      std::promise<void> done;
      auto finished = done.get_future();
      const bool queued = queue.post([&] {
        try {
          if (!dns_server) return done.set_value();
          if (listening.insert(n.id).second) dns_server->listen(n.id, n.gateway, n.internal);
          dns_server->add_endpoint(n.id, {ep.ip, names, container, {}});
        } catch (const std::exception& e) {
          spdlog::warn("dns for network {}: {}", n.name, e.what());
        }
        done.set_value();
      });
      if (queued) finished.wait();  // the container starts only once its name resolves
    };
    h.endpoint_removed = [this](const std::string& network, const std::string& address) {
      queue.post([this, network, address] {
        if (dns_server) dns_server->remove_endpoint(network, address);
      });
    };
    h.progress = [this, out](const std::string& line) {
      queue.post([out, line] { out->send_line({{"progress", line}}); });
    };
    return h;
  }

  // Runs `op` on a worker thread and streams its progress; the last line says how it ended.
  void run(const std::shared_ptr<daemon::Responder>& out, std::function<void(Converger&)> op) {
    struct Work {
      uv_work_t req;
      Projects* self;
      std::shared_ptr<daemon::Responder> out;
      std::function<void(Converger&)> op;
      std::string error;
    };
    out->start_stream();
    auto* w = new Work{{}, this, out, std::move(op), {}};
    w->req.data = w;
    uv_queue_work(
        engine.loop(), &w->req,
        [](uv_work_t* r) {
          auto* w = static_cast<Work*>(r->data);
          std::lock_guard<std::mutex> l(w->self->one_at_a_time);
          try {
            Converger c(w->self->engine.root(), w->self->hooks(w->out));
            w->op(c);
          } catch (const std::exception& e) {
            w->error = e.what();
          }
        },
        [](uv_work_t* r, int) {
          std::unique_ptr<Work> w(static_cast<Work*>(r->data));
          // Progress posted by the worker runs before this line: drain the queue first.
          w->self->queue.post([out = w->out, error = w->error] {
            out->send_line(error.empty() ? json{{"status", "done"}} : json{{"error", error}});
            out->end_stream();
          });
        });
  }
};

// A malformed project is the client's error: 400.
compose::Project project_from(const json& body) {
  try {
    const json& p = body.at("project");
    compose::Project project;
    project.name = p.at("name").get<std::string>();
    project.working_dir = p.value("working_dir", "");
    project.config_files = p.value("config_files", std::vector<std::string>{});
    project.model = nlohmann::ordered_json::parse(p.at("model").dump());
    return project;
  } catch (const std::exception& e) {
    throw daemon::HttpError(400, std::string("bad project: ") + e.what());
  }
}

void install(daemon::Engine& engine) {
  auto projects = std::make_shared<Projects>(engine);
  engine.on_shutdown([projects] { projects->close(); });
  engine.router().add("POST /projects/{name}/up", [projects](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    const json o = body.value("options", json::object());
    PlanOptions plan;
    plan.services = o.value("services", std::vector<std::string>{});
    plan.no_deps = o.value("no_deps", false);
    plan.scale = o.value("scale", std::map<std::string, int>{});
    ReconcileOptions rec;
    rec.force_recreate = o.value("force_recreate", false);
    rec.no_recreate = o.value("no_recreate", false);
    rec.remove_orphans = o.value("remove_orphans", false);
    projects->run(out, [project, plan, rec](Converger& c) { c.up(project, plan, rec); });
  });
  engine.router().add("POST /projects/{name}/down", [projects](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    const json o = body.value("options", json::object());
    DownOptions down;
    down.remove_volumes = o.value("volumes", false);
    down.remove_orphans = o.value("remove_orphans", false);
    projects->run(out, [project, down](Converger& c) { c.down(project, down); });
  });
}

}  // namespace

void enable_project_routes() {
  static const bool once = daemon::add_engine_extension("projects", install);
  (void)once;
}

}  // namespace mycompose::scheduler
