#pragma once
// Control groups of one container, on cgroup v1, hybrid and v2 hosts.
#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

// V1: every controller in its own hierarchy under root/<ctrl>. Hybrid: V1 plus a cgroup2
// mount at root/unified (used for nothing but bookkeeping). V2: root is the unified hierarchy.
enum class CgroupMode { V1, Hybrid, V2 };
CgroupMode detect_cgroup_mode(const std::string& root = "/sys/fs/cgroup");

// One container's cgroup(s). destroy() is explicit because the cgroup outlives the processes
// (and the engine); a Cgroup object going away removes nothing.
//
// cgroups_path is the OCI linux.cgroupsPath, relative to each hierarchy's root (a leading "/"
// is accepted), e.g. "mycompose/<hash>/<id>". Every error names the file written.
//
// Device rules (linux.resources.devices) go to the devices controller on v1/hybrid and become
// a BPF_CGROUP_DEVICE program attached to the folder on v2. On hybrid hosts nothing is
// created in the unified (v2) mount.
class Cgroup {
 public:
  // Creates the folder(s) and writes linux.resources (memory, cpu, pids, devices).
  static std::unique_ptr<Cgroup> create(const std::string& cgroups_path,
                                        const nlohmann::json& linux_resources,
                                        const std::string& root = "/sys/fs/cgroup");
  // An existing container cgroup (for exec, pause, stats, delete).
  static std::unique_ptr<Cgroup> open(const std::string& cgroups_path,
                                      const std::string& root = "/sys/fs/cgroup");
  virtual ~Cgroup() = default;

  virtual void add_process(pid_t pid) = 0;
  // Files a freshly cloned, still single-threaded child writes "0" into (join_self) to move
  // itself in. On v1 a thread moving itself through `tasks` skips the global threadgroup lock,
  // whose RCU sync costs 10-20 ms per container when the parent writes the child's pid into
  // cgroup.procs. Empty where that does not apply (v2): the parent calls add_process.
  virtual std::vector<UniqueFd> open_self_join() { return {}; }
  virtual void freeze(bool frozen) = 0;  // pause/resume (v1 freezer, v2 cgroup.freeze); waits until frozen
  virtual std::vector<pid_t> pids() = 0;
  virtual void kill_all(int sig) = 0;
  virtual void destroy() = 0;            // remove the folders (processes must be gone)
  virtual nlohmann::json stats() = 0;    // memory usage/limit, cpu usage, pids current — for `stats`

  // Writes linux.resources again (docker update). Only the keys present change.
  virtual void update(const nlohmann::json& linux_resources) = 0;
  // Folder of the given controller ("memory", "pids"…; "" = the unified/v2 folder), for
  // joining by path (exec uses it).
  virtual std::string path(const std::string& controller = "") const = 0;
};

// In the child between clone and exec (async-signal-safe): writes "0" into each file. Returns
// false with errno set on the first failure.
bool join_self(const std::vector<UniqueFd>& files);

}  // namespace mycompose::runtime
