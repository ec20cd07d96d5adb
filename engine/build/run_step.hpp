#pragma once
// RUN: the command runs in a container made by our runtime on an overlay of the current
// layer folders; what it changes lands in `upper`, which becomes the next layer. Runs inside
// run_in_child (a private mount namespace), so the overlay never outlives the step, nor the
// step's network namespace (step_network.hpp).
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mycompose/runtime/spec_generator.hpp"
#include "step_network.hpp"

namespace mycompose::build {

struct RunMount {               // RUN --mount, resolved to a host folder
  std::string source;           // host path
  std::string target;           // path in the container
  bool readonly = false;
  bool tmpfs = false;           // a fresh tmpfs (source unused)
  std::optional<unsigned> tmpfs_size;  // bytes (size=)
  // type=secret: the value, written to a tmpfs only this step's child sees (see run_secrets.hpp).
  std::optional<std::string> secret;
  // type=ssh: agent sockets or key files, forwarded through a socket on that tmpfs.
  std::optional<std::vector<std::string>> ssh;
  unsigned mode = 0400;         // secret and ssh: the file's mode, owner and group in the step
  unsigned uid = 0, gid = 0;
};

struct RunStep {
  std::vector<std::string> lower;     // layer folders, lowest first (at least one)
  std::filesystem::path upper, work, merged, scratch;  // scratch: hosts, resolv.conf, bundle
  std::string links_dir;
  std::filesystem::path runtime_root;
  std::string container_id;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string user, working_dir;
  RunNetwork network = RunNetwork::Default;  // see step_network.hpp
  std::filesystem::path state_root;   // whose build network a Default step joins
  pid_t builder_pid = 0;              // holds that network between steps (see Build::~Build)
  std::vector<std::pair<std::string, std::string>> extra_hosts;  // name, ip
  std::optional<std::int64_t> shm_size;
  std::vector<RunMount> mounts;
  bool insecure = false;                // RUN --security=insecure (entitled): privileged
  std::vector<runtime::Ulimit> ulimits;
};

// Call inside run_in_child. Throws Error "process \"…\" did not complete successfully:
// exit code: N" when the command fails.
void run_step_in_child(const RunStep& step);

// Called by the builder (not the child) to cancel the step: kills its container through the
// runtime, so `runtime run` returns and run_step_in_child cleans up. Nothing when the
// container does not exist (yet, or any more).
void stop_step_container(const RunStep& step);

}  // namespace mycompose::build
