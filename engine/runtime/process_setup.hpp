#pragma once
// The last steps of a container process (the app under our init, or an exec'd process), in
// the container's root: rlimits, user, capabilities, no_new_privs, seccomp, then terminal and
// execve. The privileged steps come first (prepare_process), so that the process can be
// parked or shown to the container with no more privilege than what it will run.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/runtime/seccomp.hpp"

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {

// An executable that cannot be started; exit_code() is Docker's 127 (not found) or 126.
struct ExecLookup {
  std::string path;     // resolved, when found
  std::string message;  // Docker's text, when not
  int exit_code = 0;
};
// Resolves args[0] against PATH of env the way Go's exec.LookPath does (runc, Docker).
ExecLookup find_executable(const std::string& name, const std::vector<std::string>& env);

// "U[:G]" (names or numbers) → process.user using /etc/passwd and /etc/group of the current
// root. Throws Error naming the user when unknown.
nlohmann::json resolve_user(const std::string& spec);

// A process made ready to exec: in its folder, with its rlimits, user, capabilities,
// no_new_privs and seccomp filter already applied, so that it may wait (or be seen by the
// container) with no more privilege than what it will run.
struct PreparedExec {
  std::string path;
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;  // into args and env
};
// Writes /proc/self/oom_score_adj (lowering it needs CAP_SYS_RESOURCE).
void set_oom_score_adj(int value);

// Every privileged step before execve (process.oomScoreAdj through /proc/self, so from inside
// the process's own pid namespace). Throws Error (exit_code() 126/127 for an executable
// that cannot run). Every fd but 0-2 is left close-on-exec.
PreparedExec prepare_process(const nlohmann::json& process, const CompiledSeccomp& seccomp);
// tty_slave ≥ 0 (closed here) becomes the controlling terminal of a new session, and stdio.
// Needs no privilege; done by the process that execs (a terminal belongs to its session).
void attach_terminal(int tty_slave);
// Signal mask cleared, execve; an error goes to stderr (Docker's message, 126/127 when the
// file cannot run) and _exit()s.
[[noreturn]] void exec_prepared(PreparedExec& prepared);
// How the app under our init starts: status_fd gets "ok" once prepare_process is done, or the
// error instead (so that create fails with it rather than the app's stderr showing it later);
// go_fd is then waited on for one byte (its end without one: _exit(1)); spec.hooks.startContainer
// then run in the container with `state` (their failure ends the app: _exit(1)).
struct AppStart {
  int go_fd = -1;
  int status_fd = -1;
  const nlohmann::json* spec = nullptr;
  nlohmann::json state;
};
// attach_terminal, prepare_process, then the AppStart steps, then exec_prepared; an error
// goes to stderr (or status_fd) and _exit()s.
[[noreturn]] void exec_process(const nlohmann::json& process, const CompiledSeccomp& seccomp, int tty_slave,
                               const AppStart& start = {});

}  // namespace mycompose::runtime
