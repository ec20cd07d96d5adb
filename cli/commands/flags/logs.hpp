#pragma once
// `mycompose logs`: flags as `docker compose logs --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct LogsOptions {
  bool follow = false;
  int index = 0;
  bool no_color = false;
  bool no_log_prefix = false;
  std::string since;
  std::string tail = "all";
  bool timestamps = false;
  std::string until;
  std::vector<std::string> services;
};

inline CLI::App* add_logs(CLI::App& parent, LogsOptions& o) {
  auto* cmd = parent.add_subcommand("logs", "View output from containers");
  cmd->add_flag("-f,--follow", o.follow, "Follow log output");
  add_index(cmd, o.index, "index of the container if service has multiple replicas");
  cmd->add_flag("--no-color", o.no_color, "Produce monochrome output");
  cmd->add_flag("--no-log-prefix", o.no_log_prefix, "Don't print prefix in logs");
  cmd->add_option("--since", o.since,
                  "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)");
  cmd->add_option("-n,--tail", o.tail, "Number of lines to show from the end of the logs for each container")
      ->check(kTailLines)->capture_default_str();
  cmd->add_flag("-t,--timestamps", o.timestamps, "Show timestamps");
  cmd->add_option("--until", o.until,
                  "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
