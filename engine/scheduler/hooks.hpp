#pragma once
// Lifecycle hooks as docker compose runs them: each `post_start` entry once the container has
// started, each `pre_stop` entry before it is stopped (stop, down, recreate, scale down), in
// order, as an exec in the container (command, user, working_dir, environment). A hook that
// exits non-zero fails the command with docker compose's words:
// "<service> hook exited with status <n>".
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/scheduler/converge.hpp"

namespace mycompose::scheduler {

// key: "post_start" or "pre_stop"; service: the service's definition. A `privileged: true`
// hook runs with every capability (docker exec --privileged).
void run_lifecycle_hooks(const ConvergeHooks& hooks, const char* key, const std::string& service_name,
                         const nlohmann::ordered_json& service, const std::string& container_id);

// `mycompose runtime --root <runtime_root> exec [-u] [-w] [-e]… <id> <command>`: the argv
// that runs a hook (program: the mycompose launcher, as health probes use it).
std::vector<std::string> hook_argv(const std::vector<std::string>& runtime_exec_prefix, const std::string& container_id,
                                   const runtime::ExecOptions& process);

// posix_spawn with stdin/stdout/stderr on /dev/null; returns the pid. Throws on failure.
pid_t spawn_quietly(const std::vector<std::string>& argv);

}  // namespace mycompose::scheduler
