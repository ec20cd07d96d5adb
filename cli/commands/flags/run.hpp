#pragma once
// `mycompose run`: flags as `docker compose run --help` lists them. Option parsing stops at
// SERVICE: everything after it is the command and its arguments (`run web ls -la`).
#include "common.hpp"

namespace mycompose::cli::flags {

struct RunOptions {
  bool build = false;
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  bool detach = false;
  std::string entrypoint;
  std::vector<std::string> env;
  std::vector<std::string> env_from_file;
  bool interactive = true;
  std::vector<std::string> labels;
  std::string name;
  bool no_tty = false;  // default: auto-detected (no TTY when stdout is not a terminal)
  bool no_build = false;
  bool no_deps = false;
  std::vector<std::string> publish;
  std::string pull = "policy";
  bool quiet = false;
  bool quiet_build = false;
  bool quiet_pull = false;
  bool remove_orphans = false;
  bool rm = false;
  bool service_ports = false;
  bool tty = true;
  bool use_aliases = false;
  std::string user;
  std::vector<std::string> volumes;
  std::string workdir;
  std::string service;
  std::vector<std::string> command;  // COMMAND [ARGS...], verbatim
};

inline CLI::App* add_run(CLI::App& parent, RunOptions& o) {
  auto* cmd = parent.add_subcommand("run", "Run a one-off command on a service");
  cmd->add_flag("--build", o.build, "Build image before starting container");
  cmd->add_option("--cap-add", o.cap_add, "Add Linux capabilities")->delimiter(',');
  cmd->add_option("--cap-drop", o.cap_drop, "Drop Linux capabilities")->delimiter(',');
  cmd->add_flag("-d,--detach", o.detach, "Run container in background and print container ID");
  cmd->add_option("--entrypoint", o.entrypoint, "Override the entrypoint of the image");
  cmd->add_option("-e,--env", o.env, "Set environment variables");
  cmd->add_option("--env-from-file", o.env_from_file, "Set environment variables from file");
  cmd->add_flag("-i,--interactive", o.interactive, "Keep STDIN open even if not attached")->capture_default_str();
  cmd->add_option("-l,--label", o.labels, "Add or override a label");
  cmd->add_option("--name", o.name, "Assign a name to the container");
  cmd->add_flag("-T,--no-TTY", o.no_tty, "Disable pseudo-TTY allocation (default: auto-detected)");
  cmd->add_flag("--no-build", o.no_build, "Don't build an image, even if it's policy");
  cmd->add_flag("--no-deps", o.no_deps, "Don't start linked services");
  cmd->add_option("-p,--publish", o.publish, "Publish a container's port(s) to the host");
  cmd->add_option("--pull", o.pull, "Pull image before running (\"always\"|\"missing\"|\"never\")")
      ->check(kPullPolicy)->capture_default_str();
  cmd->add_flag("-q,--quiet", o.quiet, "Don't print anything to STDOUT");
  cmd->add_flag("--quiet-build", o.quiet_build, "Suppress progress output from the build process");
  cmd->add_flag("--quiet-pull", o.quiet_pull, "Pull without printing progress information");
  cmd->add_flag("--remove-orphans", o.remove_orphans, "Remove containers for services not defined in the Compose file");
  cmd->add_flag("--rm", o.rm, "Automatically remove the container when it exits");
  cmd->add_flag("-P,--service-ports", o.service_ports,
                "Run command with all service's ports enabled and mapped to the host");
  cmd->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY")->group("");  // hidden, as in docker
  cmd->add_flag("--use-aliases", o.use_aliases,
                "Use the service's network useAliases in the network(s) the container connects to");
  cmd->add_option("-u,--user", o.user, "Run as specified username or uid");
  cmd->add_option("-v,--volume", o.volumes, "Bind mount a volume");
  cmd->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
  cmd->add_option("SERVICE", o.service, "Service to run the command in")->required();
  cmd->add_option("COMMAND", o.command, "Command and its arguments (default: the service's command)");
  cmd->positionals_at_end();  // after SERVICE, `-x` belongs to the command, not to us
  return cmd;
}

}  // namespace mycompose::cli::flags
