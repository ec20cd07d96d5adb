#pragma once
// `mycompose exec`: flags as `docker compose exec --help` lists them. Option parsing stops at
// SERVICE: everything after it is the command and its arguments (`exec web ls -la`).
#include "common.hpp"

namespace mycompose::cli::flags {

struct ExecOptions {
  bool detach = false;
  std::vector<std::string> env;
  int index = 0;
  bool privileged = false;
  bool no_tty = false;  // default: no TTY when stdout is not a terminal
  std::string user;
  std::string workdir;
  bool interactive = true;
  bool tty = true;
  std::string service;
  std::vector<std::string> command;  // COMMAND [ARGS...], verbatim
};

inline CLI::App* add_exec(CLI::App& parent, ExecOptions& o) {
  auto* cmd = parent.add_subcommand("exec", "Execute a command in a running container");
  cmd->add_flag("-d,--detach", o.detach, "Detached mode: Run command in the background");
  cmd->add_option("-e,--env", o.env, "Set environment variables");
  add_index(cmd, o.index);
  cmd->add_flag("--privileged", o.privileged, "Give extended privileges to the process");
  cmd->add_flag("-T,--no-tty,--no-TTY", o.no_tty,
                "Disable pseudo-TTY allocation. By default 'mycompose exec' allocates a TTY.");
  cmd->add_option("-u,--user", o.user, "Run the command as this user");
  cmd->add_option("-w,--workdir", o.workdir, "Path to workdir directory for this command");
  // Hidden, as in docker: accepted so `exec -it web sh` works.
  cmd->add_flag("-i,--interactive", o.interactive, "Keep STDIN open even if not attached")->group("");
  cmd->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY")->group("");
  cmd->add_option("SERVICE", o.service, "Service whose container runs the command")->required();
  cmd->add_option("COMMAND", o.command, "Command and its arguments")->required();
  cmd->positionals_at_end();  // after SERVICE, `-x` belongs to the command, not to us
  return cmd;
}

}  // namespace mycompose::cli::flags
