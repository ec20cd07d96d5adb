#pragma once
// Named crash points for fault-injection tests and benchmarks. With
//
//   MYCOMPOSE_FAULT=<name>[@<n>]
//
// in its environment, a process kills itself with SIGKILL (what `kill -9` does) the n-th time
// (default: the first) any of its threads reaches fault_point("<name>"). Without the variable a
// point costs one relaxed atomic load. The points, in the order a container is made:
//
//   create.folder       the container's folder and overlay exist, no runtime state yet
//   runtime.state       the runtime's folder and its first state.json (no cgroup, no init)
//   runtime.cgroup      the container's cgroup exists, its init is not started
//   runtime.init        the init runs, state.json does not name it yet
//   create.record       the runtime container exists, container.json is not written
//   connect.endpoint    one network endpoint is attached and recorded
//   start               just before the init is told to exec the application
//   remove.runtime      during removal: the runtime container is gone, the folder is not
namespace mycompose {

void fault_point(const char* name);

}  // namespace mycompose
