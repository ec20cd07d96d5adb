#pragma once
// `mycompose rm`: flags as `docker compose rm --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct RmOptions {
  bool all = false;  // deprecated in docker, hidden
  bool force = false;
  bool stop = false;
  bool volumes = false;
  std::vector<std::string> services;
};

inline CLI::App* add_rm(CLI::App& parent, RmOptions& o) {
  auto* cmd = parent.add_subcommand("rm", "Removes stopped service containers");
  cmd->add_flag("-a,--all", o.all, "Deprecated - no effect")->group("");
  cmd->add_flag("-f,--force", o.force, "Don't ask to confirm removal");
  cmd->add_flag("-s,--stop", o.stop, "Stop the containers, if required, before removing");
  cmd->add_flag("-v,--volumes", o.volumes, "Remove any anonymous volumes attached to containers");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
