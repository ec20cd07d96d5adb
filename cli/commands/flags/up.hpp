#pragma once
// `mycompose up`: flags as `docker compose up --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct UpOptions {
  bool abort_on_container_exit = false;
  bool abort_on_container_failure = false;
  bool always_recreate_deps = false;
  std::vector<std::string> attach;
  bool attach_dependencies = false;
  bool build = false;
  bool detach = false;
  std::string exit_code_from;
  bool force_recreate = false;
  bool menu = false;
  std::vector<std::string> no_attach;
  bool no_build = false;
  bool no_color = false;
  bool no_deps = false;
  bool no_log_prefix = false;
  bool no_recreate = false;
  bool no_start = false;
  std::string pull = "policy";
  bool quiet_pull = false;
  bool remove_orphans = false;
  bool renew_anon_volumes = false;
  std::vector<std::string> scale;  // SERVICE=NUM
  int timeout = 0;                 // seconds; only meaningful when given (cmd->count("--timeout"))
  bool timestamps = false;
  bool wait = false;
  int wait_timeout = 0;
  bool watch = false;
  bool yes = false;
  std::vector<std::string> services;
};

inline CLI::App* add_up(CLI::App& parent, UpOptions& o) {
  auto* cmd = parent.add_subcommand("up", "Create and start containers");
  cmd->add_flag("--abort-on-container-exit", o.abort_on_container_exit,
                "Stops all containers if any container was stopped. Incompatible with -d");
  cmd->add_flag("--abort-on-container-failure", o.abort_on_container_failure,
                "Stops all containers if any container exited with failure. Incompatible with -d");
  cmd->add_flag("--always-recreate-deps", o.always_recreate_deps,
                "Recreate dependent containers. Incompatible with --no-recreate.");
  cmd->add_option("--attach", o.attach,
                  "Restrict attaching to the specified services. Incompatible with --attach-dependencies.");
  cmd->add_flag("--attach-dependencies", o.attach_dependencies,
                "Automatically attach to log output of dependent services");
  cmd->add_flag("--build", o.build, "Build images before starting containers");
  cmd->add_flag("-d,--detach", o.detach, "Detached mode: Run containers in the background");
  cmd->add_option("--exit-code-from", o.exit_code_from,
                  "Return the exit code of the selected service container. Implies --abort-on-container-exit");
  cmd->add_flag("--force-recreate", o.force_recreate,
                "Recreate containers even if their configuration and image haven't changed");
  cmd->add_flag("--menu", o.menu,
                "Enable interactive shortcuts when running attached. Incompatible with --detach. "
                "Can also be enable/disable by setting COMPOSE_MENU environment var.");
  cmd->add_option("--no-attach", o.no_attach, "Do not attach (stream logs) to the specified services");
  cmd->add_flag("--no-build", o.no_build, "Don't build an image, even if it's policy");
  cmd->add_flag("--no-color", o.no_color, "Produce monochrome output");
  cmd->add_flag("--no-deps", o.no_deps, "Don't start linked services");
  cmd->add_flag("--no-log-prefix", o.no_log_prefix, "Don't print prefix in logs");
  cmd->add_flag("--no-recreate", o.no_recreate,
                "If containers already exist, don't recreate them. Incompatible with --force-recreate.");
  cmd->add_flag("--no-start", o.no_start, "Don't start the services after creating them");
  cmd->add_option("--pull", o.pull, "Pull image before running (\"always\"|\"missing\"|\"never\")")
      ->check(kPullPolicy)->capture_default_str();
  cmd->add_flag("--quiet-pull", o.quiet_pull, "Pull without printing progress information");
  cmd->add_flag("--remove-orphans", o.remove_orphans, "Remove containers for services not defined in the Compose file");
  cmd->add_flag("-V,--renew-anon-volumes", o.renew_anon_volumes,
                "Recreate anonymous volumes instead of retrieving data from the previous containers");
  cmd->add_option("--scale", o.scale,
                  "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.")
      ->check(kServiceEqualsNum);
  cmd->add_option("-t,--timeout", o.timeout,
                  "Use this timeout in seconds for container shutdown when attached or when containers are already running");
  cmd->add_flag("--timestamps", o.timestamps, "Show timestamps");
  cmd->add_flag("--wait", o.wait, "Wait for services to be running|healthy. Implies detached mode.");
  cmd->add_option("--wait-timeout", o.wait_timeout,
                  "Maximum duration in seconds to wait for the project to be running|healthy")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-w,--watch", o.watch, "Watch source code and rebuild/refresh containers when files are updated.");
  cmd->add_flag("-y,--yes", o.yes, "Assume \"yes\" as answer to all prompts and run non-interactively");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
