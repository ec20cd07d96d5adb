#pragma once
// `system check`: the host resources of one state root that no live state accounts for.
//
// What counts as live state: containers/<id>/container.json (the store's record),
// runtime/<id>/state.json (the runtime's), networks/*.json (the network manager's) and a
// process holding the flock on engine.pid. Everything this root can leave on the host is
// looked up by name or path (the root's hash in cgroup folders, link names and the nft
// table; mount points under the root) and compared with that state:
//
//   mount     a mount under the root other than a recorded container's rootfs
//   netns     a network namespace bind mount (nsfs) under the root or /run/netns/<prefix>*
//   cgroup    a container cgroup folder whose container has no runtime state
//   process   a process inside such a cgroup
//   bridge    a bridge with the root's link prefix that no network record names
//   veth      a host veth with the root's link prefix that no endpoint record names
//   endpoint  a recorded endpoint of a container that does not exist
//   build-step     a RUN step recorded on the build network whose namespace is gone
//   build-network  the build network with no RUN step left (both: a builder was killed)
//   nft       the root's nft table with no network recorded, or rules naming a gone bridge
//   folder    containers/<id>/ with neither a record nor runtime state (a half-made create)
//   engine    engine.sock left by an engine that is gone
//   temp      a temporary of a load, pull or build whose process is gone (system_check_temps.hpp)
//
// The check is meant for a quiet root (after a test, after `down`): an operation running
// at the same time may show its half-made resources.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mycompose::scheduler {

struct Leak {
  std::string kind;    // see above
  std::string object;  // path, link name, pid or table
  std::string how;     // how it was found, in words
  // What the fix acts on (cgroup folders in every hierarchy, the mount point, …).
  std::vector<std::string> paths;
  pid_t pid = 0;
  std::string network;       // endpoint: network name
  std::string container_id;  // endpoint, cgroup
};

std::vector<Leak> find_leaks(const std::filesystem::path& root);

// Removes each leak (processes first, then cgroups, network pieces, mounts, folders).
// Returns the leaks it could not remove, their `how` carrying the error.
std::vector<Leak> fix_leaks(const std::filesystem::path& root, const std::vector<Leak>& leaks);

// "<kind> <object>: <how>"
std::string describe(const Leak& leak);

// The pid of the engine holding <root>/engine.pid's lock, if one runs (read from
// /proc/locks, so checking never takes the lock an engine starting now needs).
std::optional<pid_t> running_engine(const std::filesystem::path& root);

}  // namespace mycompose::scheduler
