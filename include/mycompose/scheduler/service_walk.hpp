#pragma once
// Walks a dependency graph of services in parallel: each service's work starts as soon as every
// service it depends on has finished and met its condition — a thread per service (there are
// few), blocking on its dependencies' results. The work of one service may itself fan out
// over its containers with for_each_parallel.
#include <functional>
#include <string>
#include <vector>

namespace mycompose::scheduler {

struct WalkEdge {
  std::string service;    // the dependency
  bool required = true;   // false: a failed dependency is a warning and the walk goes on
  std::string condition;  // handed to the gate
};

struct WalkNode {
  std::string service;
  std::vector<WalkEdge> after;  // edges to services not in the walk are ignored
};

struct WalkCallbacks {
  // The service's own work (create/start its containers …). Throws to fail the service.
  std::function<void(const std::string& service)> work;
  // Called in the dependent's thread once `edge.service`'s work succeeded; blocks until its
  // condition holds (healthy, exited 0 …) and throws Error when it never will.
  std::function<void(const std::string& dependent, const WalkEdge& edge)> gate;
  // A required dependency failed: the service's work is not run; this runs instead (up
  // creates the containers without starting them). Throwing from it is not allowed.
  std::function<void(const std::string& service)> blocked;
  // A dependency with required: false failed: a warning, not an error.
  std::function<void(const std::string& text)> warn;
};

// Runs the walk; throws the first failure once every running service has finished (a service
// whose required dependency failed is not run: "dependency failed to start: <reason>").
void walk_services(const std::vector<WalkNode>& nodes, const WalkCallbacks& callbacks);

// Runs f(i) for i in [0, n) on up to `width` threads; rethrows the first failure after all
// have finished.
void for_each_parallel(std::size_t n, std::size_t width, const std::function<void(std::size_t)>& f);

}  // namespace mycompose::scheduler
