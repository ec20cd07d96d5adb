#pragma once
// `mycompose pause`: as `docker compose pause --help` lists it (no flags of its own).
#include "common.hpp"

namespace mycompose::cli::flags {

struct PauseOptions {
  std::vector<std::string> services;
};

inline CLI::App* add_pause(CLI::App& parent, PauseOptions& o) {
  auto* cmd = parent.add_subcommand("pause", "Pause services");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
