#pragma once
// `run`: a one-off container of a service, <project>-<service>-run-<12 hex> with the label
// com.docker.compose.oneoff=True (up and down's reconcile leave it alone), created like up
// creates a service's container: the project's networks and volumes; unless no_deps its
// dependencies started first, each once its own dependencies' conditions hold, and the
// one-off once its dependencies' do (service_healthy, service_completed_successfully), as
// docker compose's run. The CLI sends the service definition already changed by run's flags
// (command, entrypoint, environment, user, working_dir, volumes, ports, tty).
//
// Its stdio is the CLI's: FIFOs the CLI made and opened (their other ends opened here, never
// blocking: the CLI opened its ends first), or for a terminal the CLI's console socket.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "mycompose/compose/loader.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/scheduler/converge.hpp"

namespace mycompose::scheduler {

struct OneOffRequest {
  std::string service;
  std::string name;                           // --name; "" = <project>-<service>-run-<12 hex>
  std::map<std::string, std::string> labels;  // -l
  bool no_deps = false;
  bool use_aliases = false;  // --use-aliases: the service's name and network aliases in DNS
  // --remove-orphans: the project's containers of services the model does not define go first
  // (as docker compose's run creates the dependencies), unless COMPOSE_IGNORE_ORPHANS.
  bool remove_orphans = false;
  // Paths made by the CLI; all empty = detached (output to the engine's log capture).
  std::string stdin_fifo, stdout_fifo, stderr_fifo;
  std::string console_socket;  // a terminal: the pty master goes there
};

struct OneOff {
  std::string id, name;
  pid_t pid = 0;  // its init, for the CLI to watch (pidfd)
};

OneOff run_oneoff(const std::filesystem::path& root, const compose::Project& project, const OneOffRequest& request,
                  const ConvergeHooks& hooks);
// The names the project's DNS answers with a container's address on one network: its name,
// its short id and the endpoint's aliases, and its service's name — except for a one-off
// container, which (as in docker compose v2) has the service's names only with
// --use-aliases, and then as endpoint aliases.
std::vector<std::string> endpoint_dns_names(const ContainerRecord& rec, const std::vector<std::string>& aliases);

// run --rm: stops (at once) and removes a one-off container of the project, with its
// anonymous volumes.
void remove_oneoff(const std::filesystem::path& root, const compose::Project& project, const std::string& id,
                   const ConvergeHooks& hooks);

}  // namespace mycompose::scheduler
