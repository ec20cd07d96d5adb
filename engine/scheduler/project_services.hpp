#pragma once
// What the engine keeps for projects between requests (one per engine, created by
// enable_project_routes): the queue to the engine's loop, the embedded DNS server, and the
// way operations run: one project's in turn (two CLIs on the same project take turns) while
// different projects run side by side. Route files of this module install their routes through it:
//
//   void install_lifecycle_routes(daemon::Engine&, ProjectServices&);   // and so on
//
// declared below and called from engine_routes.cpp's install().
#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/compose/loader.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/net/dns_server.hpp"
#include "mycompose/net/port_proxy.hpp"
#include "mycompose/health/monitor.hpp"
#include "mycompose/scheduler/converge.hpp"

namespace mycompose::scheduler {

// Functions queued from worker threads to run on the engine's loop.
class LoopQueue {
 public:
  explicit LoopQueue(uv_loop_t* loop);
  // False once closed (the engine is going away): f will not run.
  bool post(std::function<void()> f);
  // Runs f on the loop and waits for it; false (f not run) once closed. Never call it from
  // the loop itself.
  bool call(const std::function<void()>& f);
  // On the loop, at engine shutdown.
  void close();

 private:
  void drain();
  uv_async_t* async_;
  std::mutex m_;
  std::vector<std::function<void()>> q_;
};

class ProjectServices {
 public:
  explicit ProjectServices(daemon::Engine& engine);
  void close();  // on the loop, at engine shutdown

  daemon::Engine& engine;
  LoopQueue queue;

  // Hooks for one request: DNS learns endpoints (on the loop), progress goes to `out` as
  // {"progress": ProgressEvent::to_json()}.
  ConvergeHooks hooks(const std::shared_ptr<daemon::Responder>& out);

  // Runs op on the engine's operation thread of `project` (after that project's earlier
  // operations; see daemon/workers.hpp) and streams to `out`; the stream's last line is
  // {"status": "done"} (plus `result`'s fields, when op set any) or {"error": message}.
  // HttpError 503 when too many operations wait already.
  using Operation = std::function<void(const ConvergeHooks& hooks, nlohmann::json& result)>;
  void run(const std::string& project, const std::shared_ptr<daemon::Responder>& out, Operation op);

  // The DNS stops serving a removed network (posted to the loop). In network_routes.cpp.
  void forget_network(const std::string& network_id);

  // Told (on the loop) of every container a request created; set by the log routes.
  std::function<void(const std::string& container_id)> container_created;
  // Reads what the container's output pipes hold into its log (loop thread).
  std::function<void(const std::string& container_id)> drain_output;

 private:
  // On the loop: the DNS answers for `names` at the endpoint's address.
  void serve_endpoint(const net::NetworkRecord& n, const net::Endpoint& ep, const std::vector<std::string>& names,
                      const std::string& container, const std::vector<std::pair<std::string, std::string>>& links = {});
  // At engine start: every endpoint of this root's containers served again by the DNS, and
  // the published ports of running containers bound again.
  void restore_dns();
  // On the loop: the container's recorded ports (<container>/ports.json) bound again to ip.
  void republish(const std::filesystem::path& container_dir, const std::string& owner, const std::string& ip);
  // On the loop: healthchecks of a started container (its image's, overridden by its
  // service's), resumed from health.json for a re-adopted one. Nothing without a healthcheck.
  void watch_health(const std::string& id, bool resume);
  // The Supervisor's restarter, on the loop: a container of ours is renewed, reconnected to
  // its networks (DNS included) and started; any other runtime container is re-created from
  // its bundle.
  void restart_container(runtime::Runtime& rt, const std::string& id);
  std::unique_ptr<net::DnsServer> dns_server_;
  std::unique_ptr<net::PortProxy> proxy_;
  std::unique_ptr<health::HealthMonitor> health_;
  std::set<std::string> listening_;  // networks the DNS serves
};

// The request body's "project" ({"name", "working_dir", "config_files", "model"}); a
// malformed one is the client's error (HttpError 400).
compose::Project project_from(const nlohmann::json& body);
// The request body's "options", {} when absent.
nlohmann::json options_from(const nlohmann::json& body);

// Answers 200 with what `compute` returns (JSON text, or a document), computed on the
// engine's query threads: reading records, /proc and cgroups must not hold up the loop, and
// a query never waits behind an operation. HttpError 503 when too many queries wait.
void answer_text_from_worker(daemon::Engine& engine, const std::shared_ptr<daemon::Responder>& out, std::function<std::string()> compute);
void answer_from_worker(daemon::Engine& engine, const std::shared_ptr<daemon::Responder>& out, std::function<nlohmann::json()> compute);

// Route installers of this module (each in its own file).
void install_converge_routes(daemon::Engine& engine, ProjectServices& services);  // up, down
void install_oneoff_routes(daemon::Engine& engine, ProjectServices& services);    // run (oneoff_routes.cpp)
void install_network_routes(daemon::Engine& engine, ProjectServices& services);   // network ls inspect rm prune
void install_system_routes(daemon::Engine& engine, ProjectServices& services);    // system prune
// Removes every network no container is attached to (label filters as docker's); their names.
std::vector<std::string> prune_networks(ProjectServices& services, const std::filesystem::path& root,
                                        const std::vector<std::string>& filters);
void install_log_routes(daemon::Engine& engine, ProjectServices& services);       // logs, attach/stop
void install_lifecycle_routes(daemon::Engine& engine, ProjectServices& services);  // create start stop … ps top wait events
void install_exec_routes(daemon::Engine& engine, ProjectServices& services);       // exec -d

}  // namespace mycompose::scheduler
