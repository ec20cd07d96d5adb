#pragma once
// `mycompose cp`: flags as `docker compose cp --help` lists them.
//   cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-
//   cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH
#include "common.hpp"

namespace mycompose::cli::flags {

struct CpOptions {
  bool all = false;  // deprecated in docker, hidden
  bool archive = false;
  bool follow_link = false;
  int index = 0;
  std::string source;
  std::string destination;
};

inline CLI::App* add_cp(CLI::App& parent, CpOptions& o) {
  auto* cmd = parent.add_subcommand("cp", "Copy files/folders between a service container and the local filesystem");
  cmd->add_flag("--all", o.all, "Include containers created by the run command")->group("");
  cmd->add_flag("-a,--archive", o.archive, "Archive mode (copy all uid/gid information)");
  cmd->add_flag("-L,--follow-link", o.follow_link, "Always follow symbol link in SRC_PATH");
  add_index(cmd, o.index);
  cmd->add_option("SRC", o.source, "SERVICE:SRC_PATH, or a local SRC_PATH or - (a tar stream on stdin)")->required();
  cmd->add_option("DEST", o.destination, "SERVICE:DEST_PATH, or a local DEST_PATH or - (a tar stream on stdout)")
      ->required();
  return cmd;
}

}  // namespace mycompose::cli::flags
