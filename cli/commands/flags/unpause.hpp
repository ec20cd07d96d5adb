#pragma once
// `mycompose unpause`: as `docker compose unpause --help` lists it (no flags of its own).
#include "common.hpp"

namespace mycompose::cli::flags {

struct UnpauseOptions {
  std::vector<std::string> services;
};

inline CLI::App* add_unpause(CLI::App& parent, UnpauseOptions& o) {
  auto* cmd = parent.add_subcommand("unpause", "Unpause services");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
