#pragma once
// `mycompose watch`: flags as `docker compose watch --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct WatchOptions {
  bool no_up = false;
  bool prune = true;
  bool quiet = false;
  std::vector<std::string> services;
};

inline CLI::App* add_watch(CLI::App& parent, WatchOptions& o) {
  auto* cmd = parent.add_subcommand(
      "watch", "Watch build context for service and rebuild/refresh containers when files are updated");
  cmd->add_flag("--no-up", o.no_up, "Do not build & start services before watching");
  cmd->add_flag("--prune", o.prune, "Prune dangling images on rebuild")->capture_default_str();
  cmd->add_flag("--quiet", o.quiet, "hide build output");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
