#pragma once
// Lifecycle hooks as docker compose runs them: each `post_start` entry once the container has
// started, each `pre_stop` entry before it is stopped (stop, down, recreate, scale down), in
// order, as an exec in the container (command, user, working_dir, environment). A hook that
// exits non-zero fails the command with docker compose's words:
// "<service> hook exited with status <n>".
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/scheduler/converge.hpp"

namespace mycompose::scheduler {

// key: "post_start" or "pre_stop"; service: the service's definition. A `privileged: true`
// hook runs with every capability (docker exec --privileged).
void run_lifecycle_hooks(const ConvergeHooks& hooks, const char* key, const std::string& service_name,
                         const nlohmann::ordered_json& service, const std::string& container_id,
                         const std::string& container_name);

// `mycompose runtime --root <runtime_root> exec [-u] [-w] [-e]… <id> <command>`: the argv
// that runs a hook (program: the mycompose launcher, as health probes use it).
std::vector<std::string> hook_argv(const std::vector<std::string>& runtime_exec_prefix, const std::string& container_id,
                                   const runtime::ExecOptions& process);

// posix_spawn with stdin on /dev/null, stdout on out_fd and stderr on err_fd (-1: /dev/null);
// returns the pid. Throws on failure.
pid_t spawn_hook(const std::vector<std::string>& argv, int out_fd, int err_fd);

// The end of what a failing hook printed, for its error message, as docker compose keeps it:
// the last 10 non-blank lines (a line's text after its last '\r'), at most 2048 bytes.
class OutputTail {
 public:
  void add_line(std::string line);
  std::string text() const;

 private:
  std::vector<std::string> lines_;
};

// What a failure quotes: the tail of stderr, of stdout when stderr printed nothing.
std::string failure_tail(const OutputTail& out, const OutputTail& err);

// Splits what a hook prints into lines for `emit`: a line longer than kMaxHookLine is cut
// there (a hook's output is not bounded, what one line holds is). finish() emits the rest.
class HookLines {
 public:
  static constexpr std::size_t kMaxHookLine = 16 * 1024;
  explicit HookLines(std::function<void(const std::string&)> emit) : emit_(std::move(emit)) {}
  void add(std::string_view chunk);
  void finish();

 private:
  std::function<void(const std::string&)> emit_;
  std::string partial_;
};

}  // namespace mycompose::scheduler
