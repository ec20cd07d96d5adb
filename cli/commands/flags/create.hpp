#pragma once
// `mycompose create`: flags as `docker compose create --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct CreateOptions {
  bool build = false;
  bool force_recreate = false;
  bool no_build = false;
  bool no_recreate = false;
  std::string pull = "policy";
  bool quiet_pull = false;
  bool remove_orphans = false;
  std::vector<std::string> scale;  // SERVICE=NUM
  bool yes = false;
  std::vector<std::string> services;
};

inline CLI::App* add_create(CLI::App& parent, CreateOptions& o) {
  auto* cmd = parent.add_subcommand("create", "Creates containers for a service");
  cmd->add_flag("--build", o.build, "Build images before starting containers");
  cmd->add_flag("--force-recreate", o.force_recreate,
                "Recreate containers even if their configuration and image haven't changed");
  cmd->add_flag("--no-build", o.no_build, "Don't build an image, even if it's policy");
  cmd->add_flag("--no-recreate", o.no_recreate,
                "If containers already exist, don't recreate them. Incompatible with --force-recreate.");
  cmd->add_option("--pull", o.pull, "Pull image before running (\"always\"|\"missing\"|\"never\"|\"build\")")
      ->check(kPullPolicy)->capture_default_str();
  cmd->add_flag("--quiet-pull", o.quiet_pull, "Pull without printing progress information");
  cmd->add_flag("--remove-orphans", o.remove_orphans, "Remove containers for services not defined in the Compose file");
  cmd->add_option("--scale", o.scale,
                  "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.")
      ->check(kServiceEqualsNum);
  cmd->add_flag("-y,--yes", o.yes, "Assume \"yes\" as answer to all prompts and run non-interactively");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
