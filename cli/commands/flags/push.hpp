#pragma once
// `mycompose push`: flags as `docker compose push --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct PushOptions {
  bool ignore_push_failures = false;
  bool include_deps = false;
  bool quiet = false;
  std::vector<std::string> services;
};

inline CLI::App* add_push(CLI::App& parent, PushOptions& o) {
  auto* cmd = parent.add_subcommand("push", "Push service images");
  cmd->add_flag("--ignore-push-failures", o.ignore_push_failures, "Push what it can and ignores images with push failures");
  cmd->add_flag("--include-deps", o.include_deps, "Also push images of services declared as dependencies");
  cmd->add_flag("-q,--quiet", o.quiet, "Push without printing progress information");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
