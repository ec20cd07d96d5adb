#pragma once
// `mycompose restart`: flags as `docker compose restart --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct RestartOptions {
  bool no_deps = false;
  int timeout = 0;  // seconds; only meaningful when given
  std::vector<std::string> services;
};

inline CLI::App* add_restart(CLI::App& parent, RestartOptions& o) {
  auto* cmd = parent.add_subcommand("restart", "Restart service containers");
  cmd->add_flag("--no-deps", o.no_deps, "Don't restart dependent services");
  cmd->add_option("-t,--timeout", o.timeout, "Specify a shutdown timeout in seconds");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
