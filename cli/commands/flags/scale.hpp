#pragma once
// `mycompose scale`: flags as `docker compose scale --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct ScaleOptions {
  bool no_deps = false;
  std::vector<std::string> scales;  // SERVICE=REPLICAS
};

inline CLI::App* add_scale(CLI::App& parent, ScaleOptions& o) {
  auto* cmd = parent.add_subcommand("scale", "Scale services");
  cmd->add_flag("--no-deps", o.no_deps, "Don't start linked services");
  cmd->add_option("SERVICE=REPLICAS", o.scales, "Services and their number of replicas")
      ->required()->check(kServiceEqualsNum);
  return cmd;
}

}  // namespace mycompose::cli::flags
