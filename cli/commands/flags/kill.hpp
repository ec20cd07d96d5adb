#pragma once
// `mycompose kill`: flags as `docker compose kill --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct KillOptions {
  bool remove_orphans = false;
  std::string signal = "SIGKILL";  // name (SIGTERM, TERM) or number
  std::vector<std::string> services;
};

inline CLI::App* add_kill(CLI::App& parent, KillOptions& o) {
  auto* cmd = parent.add_subcommand("kill", "Force stop service containers");
  cmd->add_flag("--remove-orphans", o.remove_orphans, "Remove containers for services not defined in the Compose file");
  cmd->add_option("-s,--signal", o.signal, "SIGNAL to send to the container")->capture_default_str();
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
