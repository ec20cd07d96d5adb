#pragma once
// `mycompose stats`: flags as `docker compose stats --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct StatsOptions {
  bool all = false;
  std::string format;  // table (default) | json | template
  bool no_stream = false;
  bool no_trunc = false;
  std::string service;  // optional
};

inline CLI::App* add_stats(CLI::App& parent, StatsOptions& o) {
  auto* cmd = parent.add_subcommand("stats", "Display a live stream of container(s) resource usage statistics");
  cmd->add_flag("-a,--all", o.all, "Show all containers (default shows just running)");
  cmd->add_option("--format", o.format,
                  "Format output using a custom template:\n"
                  "'table':            Print output in table format with column headers (default)\n"
                  "'table TEMPLATE':   Print output in table format using the given Go template\n"
                  "'json':             Print in JSON format\n"
                  "'TEMPLATE':         Print output using the given Go template.");
  cmd->add_flag("--no-stream", o.no_stream, "Disable streaming stats and only pull the first result");
  cmd->add_flag("--no-trunc", o.no_trunc, "Do not truncate output");
  cmd->add_option("SERVICE", o.service, "Service to show (default: all)");
  return cmd;
}

}  // namespace mycompose::cli::flags
