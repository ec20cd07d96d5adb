#pragma once
// The lifecycle commands of one project (create, start, stop, restart, kill, pause, unpause,
// rm) on top of ProjectState, each over the selected services in dependency order: start
// and restart take dependencies first, stop/kill/pause take dependents first. Runs on an
// engine worker thread under the project's lock (ProjectServices::run).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "project_state.hpp"

namespace mycompose::scheduler {

class Lifecycle {
 public:
  // A container event for the engine's EventBus (kill, pause, unpause, stop, destroy…);
  // called on the worker thread, the hook posts it to the loop.
  using EventHook = std::function<void(const std::string& action, const ContainerRecord& c, const nlohmann::json& attributes)>;
  Lifecycle(ProjectState& state, EventHook events = {});

  // `create`: up without starting (new containers created, changed ones recreated).
  // recreate_volumes: project volumes whose changed definition the user agreed to apply (up's
  // question): each is removed and made again, with the containers that use it.
  void create(const PlanOptions& plan, const ReconcileOptions& options, const std::vector<std::string>& recreate_volumes = {});
  // The selected services and their dependencies, each once its dependencies' conditions
  // hold (as up and docker compose's start); "service \"x\" has no container to start".
  void start(const std::vector<std::string>& services);
  void stop(const std::vector<std::string>& services, std::optional<std::chrono::seconds> timeout);
  // Stop then start, one container after another, in dependency order: the services and
  // (unless no_deps) those depending on them with `restart: true`, each once the conditions
  // of its dependencies restarted along hold again (docker compose's restart).
  void restart(const std::vector<std::string>& services, bool no_deps, std::optional<std::chrono::seconds> timeout);
  void kill(const std::vector<std::string>& services, const std::string& signal);
  void pause(const std::vector<std::string>& services);
  void unpause(const std::vector<std::string>& services);
  // The given containers (ids or names) of this project that are not running; with
  // volumes, their anonymous volumes too. Running ones are left alone. Returns the names
  // removed.
  std::vector<std::string> remove(const std::vector<std::string>& containers, bool volumes);

  // The project's containers of the selected services (all when none), dependencies first
  // (reverse: dependents first); containers of services the file no longer has come last
  // when no service is named. One-off containers only if oneoff.
  std::vector<ContainerRecord> selected(const std::vector<std::string>& services, bool with_dependencies, bool reverse,
                                        bool oneoff = false);

 private:
  void event(const std::string& action, const ContainerRecord& c, const nlohmann::json& attributes = nlohmann::json::object());
  ProjectState& s_;
  EventHook events_;
};

// Blocks until the depends_on conditions of the service hold (ProjectState::wait_condition);
// a failed required one throws "dependency failed to start: …", an optional one is a warning.
void wait_dependencies(ProjectState& state, const ServicePlan& service);

// The anonymous volumes (names of 64 hex digits under $ROOT/volumes) a container mounts,
// read from its OCI spec.
std::vector<std::string> anonymous_volumes(const ContainerStore& store, const std::string& id);

}  // namespace mycompose::scheduler
