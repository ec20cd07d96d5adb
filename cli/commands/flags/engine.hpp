#pragma once
// `mycompose engine`: run the engine in the foreground (the CLI otherwise starts it on demand).
#include "common.hpp"

namespace mycompose::cli::flags {

struct EngineOptions {
  std::string root;  // state root; default $MYCOMPOSE_ROOT, else /var/lib/mycompose
  std::string log_level = "info";
};

inline CLI::App* add_engine(CLI::App& parent, EngineOptions& o) {
  auto* cmd = parent.add_subcommand("engine", "Run the mycompose engine in the foreground");
  cmd->add_option("--root", o.root, "State root (default: $MYCOMPOSE_ROOT, else /var/lib/mycompose)")
      ->envname("MYCOMPOSE_ROOT");
  cmd->add_option("--log-level", o.log_level, "Log level: debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))->capture_default_str();
  return cmd;
}

}  // namespace mycompose::cli::flags
