#pragma once
// `mycompose stop`: flags as `docker compose stop --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct StopOptions {
  int timeout = 0;  // seconds; only meaningful when given
  std::vector<std::string> services;
};

inline CLI::App* add_stop(CLI::App& parent, StopOptions& o) {
  auto* cmd = parent.add_subcommand("stop", "Stop services");
  cmd->add_option("-t,--timeout", o.timeout, "Specify a shutdown timeout in seconds");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
