#pragma once
// Which container of a service a command acts on (exec, cp): the CLI runs as root on the
// engine's host, so it reads the ContainerStore on disk instead of asking the engine.
#include <optional>
#include <string>
#include <vector>

#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::cli {

struct ContainerQuery {
  std::string project;
  std::string service;
  int index = 0;             // container-number; 0 = the lowest
  bool running_only = true;  // exec: a stopped container does not count
  bool oneoff = false;       // also `run` containers, after the replicas (exec, cp --all)
};

// Docker compose's messages: `service "web" is not running` (exec),
// `service "web" is not running container #2` (--index, any command), `no container found for
// service "web"` (cp without --index).
scheduler::ContainerRecord service_container(scheduler::ContainerStore& store, const ContainerQuery& q);
// Every container of the service that matches (cp --all and cp into a service copy to all).
std::vector<scheduler::ContainerRecord> service_containers(scheduler::ContainerStore& store, const ContainerQuery& q);

}  // namespace mycompose::cli
