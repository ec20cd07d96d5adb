#pragma once
// Project → plan: which containers each service should have (names, numbers, labels, config
// hash) and the dependency graph the converge step walks. Pure: no engine state is read here;
// comparing the plan with the containers that exist is the converge step's job.
#include <map>
#include <string>
#include <vector>

#include "mycompose/compose/loader.hpp"

namespace mycompose::scheduler {

// depends_on, after the loader made links, volumes_from and network_mode: service: explicit.
struct Dependency {
  std::string service;
  std::string condition = "service_started";  // service_started | service_healthy | service_completed_successfully
  bool required = true;                        // false: a missing or failed dependency is only a warning
  bool restart = false;                        // recreate this service when the dependency is recreated
};

struct DesiredContainer {
  std::string name;    // container_name, else <project>-<service>-<number>
  int number = 1;      // com.docker.compose.container-number
  std::map<std::string, std::string> labels;
};

struct ServicePlan {
  std::string name;
  std::string config_hash;  // com.docker.compose.config-hash
  int replicas = 1;
  std::vector<Dependency> depends_on;
  std::vector<DesiredContainer> containers;  // numbers 1..replicas
  // The container with any number: scaling up goes on after the highest number that exists
  // (docker compose), which may be above `replicas`.
  DesiredContainer desired(int number) const;
  std::string name_prefix;                    // "<project>-<service>-", or
  std::string fixed_name;                     // container_name
  std::map<std::string, std::string> labels;  // every container's, but container-number
};

struct PlanOptions {
  std::vector<std::string> services;   // named on the command line; empty = all
  bool no_deps = false;                // --no-deps: the named services only
  std::map<std::string, int> scale;    // --scale SERVICE=N
};

struct Plan {
  std::string project;
  // Dependencies before their dependents; among services that are ready at the same time,
  // by name, so the order is the same on every run.
  std::vector<ServicePlan> services;
  const ServicePlan* find(const std::string& service) const;
};

// Throws Error for a dependency cycle ("dependency cycle detected: a -> b -> a"), a required
// dependency on an undefined service, an unknown service on the command line, a negative
// scale, or container_name with more than one replica.
Plan make_plan(const compose::Project& project, const PlanOptions& options = {});

// Before up, create or run make anything: throws Error naming the service for a sysctl its
// namespaces do not make its own (runtime/sysctl.hpp), which would change the host's value.
void check_sysctls(const compose::Project& project, const Plan& plan);

// The value of the com.docker.compose.depends_on label ("db:service_healthy:true,…").
std::string depends_on_label(const std::vector<Dependency>& deps);

}  // namespace mycompose::scheduler
