#pragma once
// `mycompose attach`: flags as `docker compose attach --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct AttachOptions {
  std::string detach_keys;
  int index = 0;
  bool no_stdin = false;
  bool sig_proxy = true;
  std::string service;
};

inline CLI::App* add_attach(CLI::App& parent, AttachOptions& o) {
  auto* cmd = parent.add_subcommand(
      "attach", "Attach local standard input, output, and error streams to a service's running container");
  cmd->add_option("--detach-keys", o.detach_keys, "Override the key sequence for detaching from a container.");
  add_index(cmd, o.index, "index of the container if service has multiple replicas.");
  cmd->add_flag("--no-stdin", o.no_stdin, "Do not attach STDIN");
  cmd->add_flag("--sig-proxy", o.sig_proxy, "Proxy all received signals to the process")->capture_default_str();
  cmd->add_option("SERVICE", o.service, "Service whose container to attach to")->required();
  return cmd;
}

}  // namespace mycompose::cli::flags
