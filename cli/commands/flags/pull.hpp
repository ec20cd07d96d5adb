#pragma once
// `mycompose pull`: flags as `docker compose pull --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct PullOptions {
  bool ignore_buildable = false;
  bool ignore_pull_failures = false;
  bool include_deps = false;
  std::string policy;  // "" | missing | always
  bool quiet = false;
  bool parallel = true;      // deprecated in docker, ignored
  bool no_parallel = true;   // deprecated in docker, ignored
  std::vector<std::string> services;
};

inline CLI::App* add_pull(CLI::App& parent, PullOptions& o) {
  auto* cmd = parent.add_subcommand("pull", "Pull service images");
  cmd->add_flag("--ignore-buildable", o.ignore_buildable, "Ignore images that can be built");
  cmd->add_flag("--ignore-pull-failures", o.ignore_pull_failures, "Pull what it can and ignores images with pull failures");
  cmd->add_flag("--include-deps", o.include_deps, "Also pull services declared as dependencies");
  cmd->add_option("--policy", o.policy, "Apply pull policy (\"missing\"|\"always\")")
      ->check(CLI::IsMember({"missing", "always"}));
  cmd->add_flag("-q,--quiet", o.quiet, "Pull without printing progress information");
  cmd->add_flag("--parallel", o.parallel, "DEPRECATED pull multiple images in parallel")->group("");
  cmd->add_flag("--no-parallel", o.no_parallel, "DEPRECATED disable parallel pulling")->group("");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
