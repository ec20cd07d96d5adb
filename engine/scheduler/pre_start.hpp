#pragma once
// pre_start hooks as docker compose runs them: each hook is a container specification of its
// own, run to its end in a one-shot "runner" container before the service's containers start.
// The reconciliation (up, create) prepares the runners, created and not started, under
// deterministic names "<project>-<service>-pre_start-<i>" (a stale one from a failed run is
// purged first, so the name never conflicts); the start phase (up, start) runs them in
// declaration order and removes each one that exits 0. A failure names the hook and its exit
// code, keeps its runner for inspection and leaves the service's containers created. A
// runner consumed by an earlier start is not made again by `start`: only `up` prepares them.
// Runners carry com.docker.compose.oneoff=True (ps, logs, reconcile and replica counts skip
// them) and com.docker.compose.hook=pre_start; down removes them with their service.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "project_state.hpp"

namespace mycompose::scheduler {

bool has_pre_start(const nlohmann::ordered_json& service);
bool is_pre_start_runner(const ContainerRecord& rec);
std::string pre_start_runner_name(const std::string& project, const std::string& service, std::size_t index);

// The runner's definition: the service's, completed by the hook's in the spirit of the merge
// rules (mappings merge per key and extra_hosts per host name, the hook winning; lists such
// as dns or cap_add accumulate; scalars, command and entrypoint are replaced). What makes or
// exposes the service's containers (ports, restart, container_name, hooks, static addresses,
// network aliases) is left out, and so are the service's volumes: the runner mounts the
// service container's (volumes_from `donor`), its own declarations winning per target.
nlohmann::ordered_json pre_start_definition(const nlohmann::ordered_json& service, const nlohmann::ordered_json& hook,
                                            const std::string& donor);

// Removes every runner of the service, whatever its state.
void purge_pre_start_runners(ProjectState& s, const std::string& service);
// Purges, then creates one runner per hook, on the service's lowest-numbered container.
void prepare_pre_start_runners(ProjectState& s, const ServicePlan& sp, const std::map<std::string, std::string>& volumes);
// Runs the prepared runners in order (see above); throws Error naming pre_start[i].
void run_pre_start(ProjectState& s, const std::string& service);

}  // namespace mycompose::scheduler
