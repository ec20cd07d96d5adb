#pragma once
// The last steps of a container process (the app under our init, or an exec'd process), in
// the container's root: terminal, rlimits, user, capabilities, no_new_privs, seccomp, execve.
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

// Never returns: exec()s process.args or writes the error to stderr and _exit()s.
// tty_slave ≥ 0 becomes the controlling terminal and stdio.
[[noreturn]] void exec_process(const nlohmann::json& process, const CompiledSeccomp& seccomp, int tty_slave);

}  // namespace mycompose::runtime
