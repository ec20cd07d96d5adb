#pragma once
// `mycompose down`: flags as `docker compose down --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct DownOptions {
  bool remove_orphans = false;
  std::string rmi;  // "" | local | all
  int timeout = 0;  // seconds; only meaningful when given
  bool volumes = false;
  std::vector<std::string> services;
};

inline CLI::App* add_down(CLI::App& parent, DownOptions& o) {
  auto* cmd = parent.add_subcommand("down", "Stop and remove containers, networks");
  cmd->add_flag("--remove-orphans", o.remove_orphans, "Remove containers for services not defined in the Compose file");
  cmd->add_option("--rmi", o.rmi,
                  "Remove images used by services. \"local\" remove only images that don't have a custom tag "
                  "(\"local\"|\"all\")")
      ->check(CLI::IsMember({"local", "all"}));
  cmd->add_option("-t,--timeout", o.timeout, "Specify a shutdown timeout in seconds");
  cmd->add_flag("-v,--volumes", o.volumes,
                "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous "
                "volumes attached to containers");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
