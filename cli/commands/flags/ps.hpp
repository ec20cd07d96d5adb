#pragma once
// `mycompose ps`: flags as `docker compose ps --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct PsOptions {
  bool all = false;
  std::string filter;  // status=<status>
  std::string format = "table";
  bool no_trunc = false;
  bool orphans = true;
  bool quiet = false;
  bool services_only = false;  // --services
  std::vector<std::string> status;
  std::vector<std::string> services;
};

inline CLI::App* add_ps(CLI::App& parent, PsOptions& o) {
  auto* cmd = parent.add_subcommand("ps", "List containers");
  cmd->add_flag("-a,--all", o.all, "Show all stopped containers (including those created by the run command)");
  cmd->add_option("--filter", o.filter, "Filter services by a property (supported filters: status).");
  cmd->add_option("--format", o.format,
                  "Format output using a custom template:\n"
                  "'table':            Print output in table format with column headers (default)\n"
                  "'table TEMPLATE':   Print output in table format using the given Go template\n"
                  "'json':             Print in JSON format\n"
                  "'TEMPLATE':         Print output using the given Go template.")
      ->capture_default_str();
  cmd->add_flag("--no-trunc", o.no_trunc, "Don't truncate output");
  cmd->add_flag("--orphans", o.orphans, "Include orphaned services (not declared by project)")->capture_default_str();
  cmd->add_flag("-q,--quiet", o.quiet, "Only display IDs");
  cmd->add_flag("--services", o.services_only, "Display services");
  cmd->add_option("--status", o.status,
                  "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]")
      ->check(CLI::IsMember({"paused", "restarting", "removing", "running", "dead", "created", "exited"}));
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
