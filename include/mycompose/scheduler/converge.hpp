#pragma once
// `up` and `down` of one project, on this engine's root: networks and volumes first, then
// the reconcile steps (create/recreate/start/remove) in dependency order, each container
// created, attached to its networks (eth0 first, as Compose orders them) and started.
// Services start as soon as their dependencies meet their condition, in parallel.
#include <chrono>
#include <filesystem>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/compose/loader.hpp"
#include "mycompose/net/network.hpp"
#include "mycompose/net/port_proxy.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/scheduler/plan.hpp"
#include "mycompose/scheduler/reconcile.hpp"

namespace mycompose::scheduler {

// One line of docker compose's progress: "Container shop-db-1  Started".
struct ProgressEvent {
  enum class State { Working, Done, Error, Warning };
  std::string id;      // "Container shop-db-1", "Network shop_default", "Volume shop_data"; "" for a warning
  std::string status;  // Creating Created Starting Started Running Stopping Stopped Removing Removed Waiting Healthy …
  State state = State::Done;
  std::string text;    // a warning's or an error's message

  // {"id", "status", "state": "working|done|error|warning", "text"}: the engine's stream line.
  nlohmann::json to_json() const;
};

struct ConvergeHooks {
  // A container joined a network: the engine's DNS serves `names` at the endpoint's address,
  // and answers the container's own queries for its `links` aliases (alias, name).
  std::function<void(const net::NetworkRecord& network, const net::Endpoint& endpoint, const std::vector<std::string>& names,
                     const std::string& container_name, const std::vector<std::pair<std::string, std::string>>& links)>
      endpoint_added;
  std::function<void(const std::string& network_id, const std::string& address)> endpoint_removed;
  // A network was removed: the DNS stops listening on its gateway (a later network may get
  // the same address).
  std::function<void(const std::string& network_id)> network_removed;
  std::function<void(const ProgressEvent& event)> progress;
  // Supervision: the container's init runs (watch it with the service's restart policy:
  // "no", "always", "on-failure[:N]", "unless-stopped"); the user stops it (no restart
  // follows); it is being removed (forget it).
  std::function<void(const std::string& id, const std::string& restart_policy)> started;
  std::function<void(const std::string& id)> stopping;
  // The user sends it a signal that ends it (`kill`): no restart follows either, but its
  // healthcheck goes on while it lives.
  std::function<void(const std::string& id)> killing;
  std::function<void(const std::string& id)> removed;
  // Published ports: the engine's userland proxy binds the host side of each binding (owner:
  // the container's name) and returns what it bound, ephemeral ports resolved; throws Error
  // for a taken port. unpublish releases everything of an owner.
  std::function<std::vector<net::PublishedPort>(const std::vector<net::PortBinding>& bindings)> publish;
  std::function<void(const std::string& owner)> unpublish;
  // A container was created (not started yet): the engine's log capture reads its output.
  std::function<void(const std::string& container_id)> container_created;
  // Lifecycle hooks (post_start, pre_stop): runs a process in the running container to its
  // end, hands each line of its output to `output` (stderr: whether the line came from
  // there), and returns its exit status. Unset: hooks are not run.
  std::function<int(const std::string& container_id, const runtime::ExecOptions& process,
                    const std::function<void(const std::string& line, bool stderr)>& output)>
      exec_hook;
  // A line a hook printed: foreground `up` prints it as "<name> ->  | line", as docker compose
  // (source: what to print instead of "<name> ->"; "" for that).
  std::function<void(const std::string& container_name, const std::string& service, const std::string& line,
                     const std::string& source)>
      hook_output;
  // Waits until what the container printed so far is in its log (a pre_start runner that
  // exited: its output is read from there).
  std::function<void(const std::string& container_id)> drain_output;
};

// The service's restart policy in Docker's words: `restart`, else deploy.restart_policy
// (condition none|on-failure|any, max_attempts), else "no".
std::string restart_policy_of(const nlohmann::ordered_json& service);

struct DownOptions {
  bool remove_volumes = false;  // -v: the project's named volumes (not external ones)
  bool remove_orphans = false;  // also containers of services no longer in the file
  std::optional<std::chrono::seconds> timeout;  // -t
};

struct UpOptions {
  bool no_start = false;                     // --no-start: create only
  std::optional<std::chrono::seconds> timeout;  // -t: stop timeout for recreated/removed containers
  bool wait = false;                         // --wait: until running, or healthy with a healthcheck
  std::optional<std::chrono::seconds> wait_timeout;
  bool renew_anon_volumes = false;  // -V: recreated containers get fresh anonymous volumes
  // Volumes whose definition changed that the user agreed to recreate (the prompt, -y):
  // ProjectState::ensure_volumes.
  std::vector<std::string> recreate_volumes;
};

class Converger {
 public:
  Converger(std::filesystem::path root, ConvergeHooks hooks = {});

  void up(const compose::Project& project, const PlanOptions& plan_options = {}, const ReconcileOptions& options = {},
          const UpOptions& up = {});
  void down(const compose::Project& project, const DownOptions& options = {});

 private:
  std::filesystem::path root_;
  ConvergeHooks hooks_;
};

}  // namespace mycompose::scheduler
