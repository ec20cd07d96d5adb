#pragma once
// `mycompose wait`: flags as `docker compose wait --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct WaitOptions {
  bool down_project = false;
  std::vector<std::string> services;  // at least one
};

inline CLI::App* add_wait(CLI::App& parent, WaitOptions& o) {
  auto* cmd = parent.add_subcommand("wait", "Block until containers of all (or specified) services stop.");
  cmd->add_flag("--down-project", o.down_project, "Drops project when the first container stops");
  cmd->add_option("SERVICE", o.services, "Services to wait for")->required();
  return cmd;
}

}  // namespace mycompose::cli::flags
