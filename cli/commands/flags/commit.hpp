#pragma once
// `mycompose commit`: flags as `docker compose commit --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct CommitOptions {
  std::string author;
  std::vector<std::string> changes;  // Dockerfile instructions
  int index = 0;
  std::string message;
  bool pause = true;
  std::string service;
  std::string reference;  // REPOSITORY[:TAG], optional
};

inline CLI::App* add_commit(CLI::App& parent, CommitOptions& o) {
  auto* cmd = parent.add_subcommand("commit", "Create a new image from a service container's changes");
  cmd->add_option("-a,--author", o.author, "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  cmd->add_option("-c,--change", o.changes, "Apply Dockerfile instruction to the created image");
  add_index(cmd, o.index, "index of the container if service has multiple replicas.");
  cmd->add_option("-m,--message", o.message, "Commit message");
  cmd->add_flag("-p,--pause", o.pause, "Pause container during commit")->capture_default_str();
  cmd->add_option("SERVICE", o.service, "Service whose container to commit")->required();
  cmd->add_option("REPOSITORY[:TAG]", o.reference, "Name of the new image");
  return cmd;
}

}  // namespace mycompose::cli::flags
