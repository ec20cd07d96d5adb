#pragma once
// `mycompose start`: as `docker compose start --help` lists it (no flags of its own).
#include "common.hpp"

namespace mycompose::cli::flags {

struct StartOptions {
  std::vector<std::string> services;
};

inline CLI::App* add_start(CLI::App& parent, StartOptions& o) {
  auto* cmd = parent.add_subcommand("start", "Start services");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
