#pragma once
// `mycompose ls`: flags as `docker compose ls --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct LsOptions {
  bool all = false;
  std::string filter;  // e.g. name=myproj
  std::string format = "table";
  bool quiet = false;
};

inline CLI::App* add_ls(CLI::App& parent, LsOptions& o) {
  auto* cmd = parent.add_subcommand("ls", "List running compose projects");
  cmd->add_flag("-a,--all", o.all, "Show all stopped Compose projects");
  cmd->add_option("--filter", o.filter, "Filter output based on conditions provided");
  cmd->add_option("--format", o.format, "Format the output. Values: [table | json]")
      ->check(kTableOrJson)->capture_default_str();
  cmd->add_flag("-q,--quiet", o.quiet, "Only display project names");
  return cmd;
}

}  // namespace mycompose::cli::flags
