#pragma once
// `mycompose events`: flags as `docker compose events --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct EventsOptions {
  bool json = false;
  std::string since;
  std::string until;
  std::vector<std::string> services;
};

inline CLI::App* add_events(CLI::App& parent, EventsOptions& o) {
  auto* cmd = parent.add_subcommand("events", "Receive real time events from containers");
  cmd->add_flag("--json", o.json, "Output events as a stream of json objects");
  cmd->add_option("--since", o.since, "Show all events created since timestamp");
  cmd->add_option("--until", o.until, "Stream events until this timestamp");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
