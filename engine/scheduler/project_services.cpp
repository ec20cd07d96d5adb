#include "project_services.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <malloc.h>

#include <future>

#include "hooks.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

#include <spdlog/spdlog.h>

namespace mycompose::scheduler {

using nlohmann::json;

LoopQueue::LoopQueue(uv_loop_t* loop) : async_(new uv_async_t) {
  async_->data = this;
  uv_async_init(loop, async_, [](uv_async_t* a) { static_cast<LoopQueue*>(a->data)->drain(); });
  uv_unref(reinterpret_cast<uv_handle_t*>(async_));  // does not keep the loop alive
}

bool LoopQueue::post(std::function<void()> f) {
  std::lock_guard<std::mutex> l(m_);
  if (!async_) return false;
  q_.push_back(std::move(f));
  uv_async_send(async_);
  return true;
}

bool LoopQueue::call(const std::function<void()>& f) {
  // The promise lives in the queued function: dropped unrun at close(), it is broken and the
  // wait ends (a worker must not wait for a loop that has stopped).
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  if (!post([&f, done] {
        f();
        done->set_value();
      }))
    return false;
  try {
    finished.get();
    return true;
  } catch (const std::future_error&) {
    return false;
  }
}

void LoopQueue::close() {
  std::vector<std::function<void()>> dropped;  // destroyed outside the lock: waiters wake
  std::lock_guard<std::mutex> l(m_);
  if (!async_) return;
  uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
  async_ = nullptr;
  dropped.swap(q_);
}

void LoopQueue::drain() {
  std::vector<std::function<void()>> q;
  {
    std::lock_guard<std::mutex> l(m_);
    q.swap(q_);
  }
  for (auto& f : q) f();
}

ProjectServices::ProjectServices(daemon::Engine& e)
    : engine(e),
      queue(e.loop()),
      dns_server_(std::make_unique<net::DnsServer>(e.loop())),
      proxy_(std::make_unique<net::PortProxy>(e.loop())),
      health_(health::HealthMonitor::for_engine(e)) {
  restore_dns();
  engine.supervisor().set_restarter([this](runtime::Runtime& rt, const std::string& id) { restart_container(rt, id); });
}

void ProjectServices::serve_endpoint(const net::NetworkRecord& n, const net::Endpoint& ep, const std::vector<std::string>& names,
                                     const std::string& container, const std::vector<std::pair<std::string, std::string>>& links) {
  try {
    if (!dns_server_) return;
    if (listening_.insert(n.id).second) dns_server_->listen(n.id, n.gateway, n.internal);
    dns_server_->add_endpoint(n.id, {ep.ip, names, container, {}, links});
  } catch (const std::exception& e) {
    spdlog::warn("dns for network {}: {}", n.name, e.what());
  }
}

void ProjectServices::close() {
  dns_server_.reset();
  proxy_.reset();
  if (health_) health_->close();
  queue.close();
}

ConvergeHooks ProjectServices::hooks(const std::shared_ptr<daemon::Responder>& out) {
  ConvergeHooks h;
  h.endpoint_added = [this](const net::NetworkRecord& n, const net::Endpoint& ep, const std::vector<std::string>& names,
                            const std::string& container, const std::vector<std::pair<std::string, std::string>>& links) {
    // The container starts only once its name resolves: wait for the loop.
    queue.call([&] { serve_endpoint(n, ep, names, container, links); });
  };
  h.network_removed = [this](const std::string& id) { forget_network(id); };
  h.endpoint_removed = [this](const std::string& network, const std::string& address) {
    queue.post([this, network, address] {
      if (dns_server_) dns_server_->remove_endpoint(network, address);
    });
  };
  h.container_created = [this](const std::string& id) {
    queue.post([this, id] {
      if (container_created) container_created(id);
    });
  };
  h.started = [this](const std::string& id, const std::string& policy) {
    queue.call([&] {
      try {
        engine.supervisor().watch(id, daemon::RestartPolicy::parse(policy));
        watch_health(id, false);
      } catch (const std::exception& e) {
        spdlog::warn("supervise {}: {}", id, e.what());
      }
    });
  };
  h.stopping = [this](const std::string& id) {
    queue.call([&] {
      if (engine.supervisor().find(id)) engine.supervisor().mark_stopped_by_user(id);
      if (health_) health_->unwatch(id);
    });
  };
  h.killing = [this](const std::string& id) {
    queue.call([&] {
      if (engine.supervisor().find(id)) engine.supervisor().mark_stopped_by_user(id);
    });
  };
  h.removed = [this](const std::string& id) {
    queue.call([&] {
      engine.supervisor().forget(id);
      if (health_) health_->unwatch(id);
    });
  };
  h.publish = [this](const std::vector<net::PortBinding>& bindings) {
    std::vector<net::PublishedPort> out;
    std::exception_ptr failed;
    queue.call([&] {
      try {
        if (!proxy_) throw Error("the engine is shutting down");
        for (const auto& b : bindings) {
          auto got = proxy_->publish(b);
          out.insert(out.end(), got.begin(), got.end());
        }
      } catch (...) {
        failed = std::current_exception();
        if (proxy_ && !bindings.empty()) proxy_->unpublish_owner(bindings.front().owner);
      }
    });
    if (failed) std::rethrow_exception(failed);
    return out;
  };
  h.unpublish = [this](const std::string& owner) {
    queue.call([&] {
      if (proxy_) proxy_->unpublish_owner(owner);
    });
  };
  h.exec_hook = [this](const std::string& id, const runtime::ExecOptions& process,
                       const std::function<void(const std::string&, bool)>& output) {
    // Spawned on the loop and registered there at once: the engine reaps every child, and
    // only a callback registered before its SIGCHLD is handled learns the exit status.
    auto exited = std::make_shared<std::promise<int>>();
    auto status = exited->get_future();
    std::exception_ptr failed;
    const auto prefix = [&] {
      auto argv = health::runtime_exec_command(engine.runtime().root())("", {});
      argv.pop_back();  // the id: hook_argv puts the exec flags before it
      return argv;
    }();
    // One pipe per stream: a failing hook's error quotes its stderr before its stdout.
    UniqueFd reading[2], writing[2];
    for (int i = 0; i < 2; ++i) {
      int ends[2];
      if (::pipe2(ends, O_CLOEXEC) != 0) throw SystemError("hook output pipe", errno);
      reading[i].reset(ends[0]);
      writing[i].reset(ends[1]);
    }
    pid_t pid = -1;
    const bool ran = queue.call([&] {
      try {
        pid = spawn_hook(hook_argv(prefix, id, process), writing[0].get(), writing[1].get());
        engine.on_child_exit(pid, [exited](int wait_status) { exited->set_value(wait_status); });
      } catch (...) {
        failed = std::current_exception();
      }
    });
    for (auto& w : writing) w.reset();  // the hook holds the only writing ends now
    if (!ran) throw Error("the engine is shutting down");
    if (failed) std::rethrow_exception(failed);
    // A hook may run as long as it likes (as in docker compose), but not past the engine:
    // once the loop is closed no exit is reported any more, and the worker must not hang.
    // Its output is read until it ends, or until the hook has exited and nothing more comes
    // (a process it left in the background may hold a pipe open).
    HookLines out_lines([&](const std::string& l) { output(l, false); });
    HookLines err_lines([&](const std::string& l) { output(l, true); });
    bool open[2] = {true, true};
    for (;;) {
      const bool exited_now = status.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready;
      bool got = false;
      if (open[0] || open[1]) {
        pollfd p[2] = {{open[0] ? reading[0].get() : -1, POLLIN, 0}, {open[1] ? reading[1].get() : -1, POLLIN, 0}};
        if (::poll(p, 2, 100) > 0) {
          for (int i = 0; i < 2; ++i) {
            if (!p[i].revents) continue;
            char buf[8192];
            const ssize_t n = ::read(reading[i].get(), buf, sizeof buf);
            if (n > 0) {
              (i == 0 ? out_lines : err_lines).add(std::string_view(buf, static_cast<std::size_t>(n)));
              got = true;
            } else if (n == 0 || errno != EINTR) {
              open[i] = false;
            }
          }
        }
      } else if (!exited_now) {
        status.wait_for(std::chrono::milliseconds(100));
      }
      if (exited_now && (!(open[0] || open[1]) || !got)) break;
      if (!queue.post([] {})) {
        ::kill(pid, SIGKILL);
        throw Error("the engine is shutting down");
      }
    }
    out_lines.finish();
    err_lines.finish();
    const int w = status.get();
    return WIFEXITED(w) ? WEXITSTATUS(w) : 128 + WTERMSIG(w);
  };
  h.hook_output = [this, out](const std::string& container, const std::string& service, const std::string& line,
                              const std::string& source) {
    json msg = {{"container", container}, {"service", service}, {"line", line}};
    if (!source.empty()) msg["source"] = source;
    queue.post([out, msg = json{{"hook_log", std::move(msg)}}] { out->send_line(msg); });
  };
  h.drain_output = [this](const std::string& id) {
    queue.call([&] {
      if (drain_output) drain_output(id);
    });
  };
  h.progress = [this, out](const ProgressEvent& e) {
    queue.post([out, line = json{{"progress", e.to_json()}}] { out->send_line(line); });
  };
  return h;
}

void ProjectServices::run(const std::string& project, const std::shared_ptr<daemon::Responder>& out, Operation op) {
  struct Work {
    std::string error;
    json result = json::object();
  };
  auto w = std::make_shared<Work>();
  auto work = [this, w, out, op = std::move(op)] {
    try {
      op(hooks(out), w->result);
    } catch (const std::exception& e) {
      w->error = e.what();
    }
  };
  auto done = [this, w, out] {
    json last = w->result;
    if (w->error.empty()) last["status"] = "done";
    else last = json{{"error", w->error}};
    // Progress posted by the worker runs before this line: go through the queue too.
    queue.post([out, last] {
      out->send_line(last);
      out->end_stream();
      // A big up leaves freed chunks at the top of the arenas: give them back.
      malloc_trim(0);
    });
  };
  // One project's operations run one after the other on a thread of their own; other
  // projects' and the queries never wait behind them.
  if (!engine.workers().operation(project, std::move(work), std::move(done)))
    throw daemon::HttpError(503, "the engine is busy: too many operations are waiting (project " + project + ")");
  out->start_stream();
}

void answer_text_from_worker(daemon::Engine& engine, const std::shared_ptr<daemon::Responder>& out, std::function<std::string()> compute) {
  struct Work {
    std::string body, error;
  };
  auto w = std::make_shared<Work>();
  bool queued = engine.workers().query(
      [w, compute = std::move(compute)] {
        try {
          w->body = compute();
        } catch (const std::exception& e) {
          w->error = e.what();
        }
      },
      [w, out] {
        if (w->error.empty()) out->reply_text(200, w->body, "application/json");
        else out->reply_error(500, w->error);
      });
  if (!queued) throw daemon::HttpError(503, "the engine is busy: too many queries are waiting");
}

void answer_from_worker(daemon::Engine& engine, const std::shared_ptr<daemon::Responder>& out, std::function<json()> compute) {
  answer_text_from_worker(engine, out, [compute = std::move(compute)] {
    return compute().dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  });
}

compose::Project project_from(const json& body) {
  try {
    const json& p = body.at("project");
    compose::Project project;
    project.name = p.at("name").get<std::string>();
    project.working_dir = p.value("working_dir", "");
    project.config_files = p.value("config_files", std::vector<std::string>{});
    project.model = nlohmann::ordered_json::parse(p.at("model").dump());
    project.environment = p.value("environment", std::map<std::string, std::string>{});  // for secrets/configs
    if (p.value("compatibility", false)) project.environment["COMPOSE_COMPATIBILITY"] = "true";  // naming: plan.cpp
    return project;
  } catch (const std::exception& e) {
    throw daemon::HttpError(400, std::string("bad project: ") + e.what());
  }
}

json options_from(const json& body) {
  json o = body.value("options", json::object());
  if (!o.is_object()) throw daemon::HttpError(400, "bad options: expected an object");
  return o;
}

}  // namespace mycompose::scheduler
