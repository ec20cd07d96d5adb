#pragma once
// `mycompose volume ls|create|inspect|rm|prune`: flags as `docker volume <verb> --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct VolumeOptions {
  struct {
    std::vector<std::string> filters;
    std::string format = "table";
    bool quiet = false;
  } ls;
  struct {
    std::string driver = "local";
    std::vector<std::string> labels;
    std::vector<std::string> opts;
    std::string name;
  } create;
  struct {
    std::string format;
    std::vector<std::string> names;
  } inspect;
  struct {
    bool force = false;
    std::vector<std::string> names;
  } rm;
  struct {
    bool all = false;
    std::vector<std::string> filters;
    bool force = false;
  } prune;
};

inline CLI::App* add_volume(CLI::App& parent, VolumeOptions& o) {
  auto* cmd = parent.add_subcommand("volume", "Manage volumes");
  cmd->require_subcommand(1);

  auto* ls = cmd->add_subcommand("ls", "List volumes");
  ls->add_option("-f,--filter", o.ls.filters, "Provide filter values (e.g. \"dangling=true\")");
  ls->add_option("--format", o.ls.format, "Format output: table or json")->check(kTableOrJson)->capture_default_str();
  ls->add_flag("-q,--quiet", o.ls.quiet, "Only display volume names");

  auto* create = cmd->add_subcommand("create", "Create a volume");
  create->add_option("-d,--driver", o.create.driver, "Specify volume driver name")
      ->check(CLI::IsMember({"local"}))->capture_default_str();
  create->add_option("--label", o.create.labels, "Set metadata for a volume");
  create->add_option("-o,--opt", o.create.opts, "Set driver specific options");
  create->add_option("VOLUME", o.create.name, "Volume name (default: a random name)");

  auto* inspect = cmd->add_subcommand("inspect", "Display detailed information on one or more volumes");
  inspect->add_option("-f,--format", o.inspect.format, "Format output using a custom template");
  inspect->add_option("VOLUME", o.inspect.names, "Volumes to inspect")->required();

  auto* rm = cmd->add_subcommand("rm", "Remove one or more volumes");
  rm->add_flag("-f,--force", o.rm.force, "Force the removal of one or more volumes");
  rm->add_option("VOLUME", o.rm.names, "Volumes to remove")->required();

  auto* prune = cmd->add_subcommand("prune", "Remove unused local volumes");
  prune->add_flag("-a,--all", o.prune.all, "Remove all unused volumes, not just anonymous ones");
  prune->add_option("--filter", o.prune.filters, "Provide filter values (e.g. \"label=<label>\")");
  prune->add_flag("-f,--force", o.prune.force, "Do not prompt for confirmation");
  return cmd;
}

}  // namespace mycompose::cli::flags
