#pragma once
// `mycompose top`: as `docker compose top --help` lists it (no flags of its own).
#include "common.hpp"

namespace mycompose::cli::flags {

struct TopOptions {
  std::vector<std::string> services;
};

inline CLI::App* add_top(CLI::App& parent, TopOptions& o) {
  auto* cmd = parent.add_subcommand("top", "Display the running processes");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
