#pragma once
// `mycompose network ls|inspect|rm|prune`: flags as `docker network <verb> --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct NetworkOptions {
  struct {
    std::vector<std::string> filters;
    std::string format = "table";
    bool no_trunc = false;
    bool quiet = false;
  } ls;
  struct {
    std::string format;
    std::vector<std::string> names;
  } inspect;
  struct {
    bool force = false;
    std::vector<std::string> names;
  } rm;
  struct {
    std::vector<std::string> filters;
    bool force = false;
  } prune;
};

inline CLI::App* add_network(CLI::App& parent, NetworkOptions& o) {
  auto* cmd = parent.add_subcommand("network", "Manage networks");
  cmd->require_subcommand(1);

  auto* ls = cmd->add_subcommand("ls", "List networks");
  ls->add_option("-f,--filter", o.ls.filters, "Provide filter values (e.g. \"driver=bridge\")");
  ls->add_option("--format", o.ls.format, "Format output: table or json")->check(kTableOrJson)->capture_default_str();
  ls->add_flag("--no-trunc", o.ls.no_trunc, "Do not truncate the output");
  ls->add_flag("-q,--quiet", o.ls.quiet, "Only display network IDs");

  auto* inspect = cmd->add_subcommand("inspect", "Display detailed information on one or more networks");
  inspect->add_option("-f,--format", o.inspect.format, "Format output using a custom template");
  inspect->add_option("NETWORK", o.inspect.names, "Networks to inspect")->required();

  auto* rm = cmd->add_subcommand("rm", "Remove one or more networks");
  rm->add_flag("-f,--force", o.rm.force, "Do not error if the network does not exist");
  rm->add_option("NETWORK", o.rm.names, "Networks to remove")->required();

  auto* prune = cmd->add_subcommand("prune", "Remove all unused networks");
  prune->add_option("--filter", o.prune.filters, "Provide filter values (e.g. \"until=<timestamp>\")");
  prune->add_flag("-f,--force", o.prune.force, "Do not prompt for confirmation");
  return cmd;
}

}  // namespace mycompose::cli::flags
