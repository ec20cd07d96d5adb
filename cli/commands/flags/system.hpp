#pragma once
// `mycompose system prune|check`: clean up, and verify the state on disk.
#include "common.hpp"

namespace mycompose::cli::flags {

struct SystemOptions {
  struct {
    bool all = false;
    std::vector<std::string> filters;
    bool force = false;
    bool volumes = false;
  } prune;
  struct {
    bool fix = false;
  } check;
};

inline CLI::App* add_system(CLI::App& parent, SystemOptions& o) {
  auto* cmd = parent.add_subcommand("system", "Manage mycompose");
  cmd->require_subcommand(1);

  auto* prune = cmd->add_subcommand("prune", "Remove unused data");
  prune->add_flag("-a,--all", o.prune.all, "Remove all unused images not just dangling ones");
  prune->add_option("--filter", o.prune.filters, "Provide filter values (e.g. \"label=<key>=<value>\")");
  prune->add_flag("-f,--force", o.prune.force, "Do not prompt for confirmation");
  prune->add_flag("--volumes", o.prune.volumes, "Prune anonymous volumes");

  auto* check = cmd->add_subcommand(
      "check", "Check the state on disk: leftover mounts, cgroups, network devices, orphaned layers");
  check->add_flag("--fix", o.check.fix, "Repair what the check finds");
  return cmd;
}

}  // namespace mycompose::cli::flags
