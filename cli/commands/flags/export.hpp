#pragma once
// `mycompose export`: flags as `docker compose export --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct ExportOptions {
  int index = 0;
  std::string output;  // file; stdout when empty
  std::string service;
};

inline CLI::App* add_export(CLI::App& parent, ExportOptions& o) {
  auto* cmd = parent.add_subcommand("export", "Export a service container's filesystem as a tar archive");
  add_index(cmd, o.index, "index of the container if service has multiple replicas.");
  cmd->add_option("-o,--output", o.output, "Write to a file, instead of STDOUT");
  cmd->add_option("SERVICE", o.service, "Service whose container to export")->required();
  return cmd;
}

}  // namespace mycompose::cli::flags
