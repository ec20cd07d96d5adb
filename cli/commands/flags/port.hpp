#pragma once
// `mycompose port`: flags as `docker compose port --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct PortOptions {
  int index = 0;
  std::string protocol = "tcp";
  std::string service;
  int private_port = 0;
};

inline CLI::App* add_port(CLI::App& parent, PortOptions& o) {
  auto* cmd = parent.add_subcommand("port", "Print the public port for a port binding");
  add_index(cmd, o.index);
  cmd->add_option("--protocol", o.protocol, "tcp or udp")->check(CLI::IsMember({"tcp", "udp"}))->capture_default_str();
  cmd->add_option("SERVICE", o.service, "Service whose port binding to print")->required();
  cmd->add_option("PRIVATE_PORT", o.private_port, "Container port")->required()->check(CLI::Range(1, 65535));
  return cmd;
}

}  // namespace mycompose::cli::flags
