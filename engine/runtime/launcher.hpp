#pragma once
// Parent side of container creation: new/joined namespaces, uid/gid maps, cgroup, and the
// exec of the init from the sealed memfd; returns once the init reports ready (or throws its
// error, leaving no process behind).
#include <sys/types.h>

#include <functional>
#include <string>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/cgroup.hpp"
#include "spec.hpp"

namespace mycompose::runtime {

struct InitProcess {
  pid_t pid = 0;       // host pid namespace
  UniqueFd pidfd;
  UniqueFd sock;       // to the init (run mode sends "start" here)
  UniqueFd pty_master; // process.terminal
  unsigned long long start_time = 0;
};

// What the init may hold of the container's state folder: never the folder itself (a folder
// fd is a way to the host's files for anyone who can read /proc/1/fd), only the exit record
// opened write-only and, in create mode, the read end of exec.fifo.
struct InitFiles {
  int exit_record = -1;
  int start_fifo = -1;
};

// mode: "create" (the init waits on exec.fifo) or "run" (it waits for a "start" message).
// stdio: fds for the container's 0, 1, 2 (-1 = inherit ours); a folder is refused.
// relay_terminal: the init keeps the pty master and copies it to and from its stdio
// (kTerminalRelay); pty_master stays empty.
// create_hooks: called when the init, its mounts made and before pivot_root, asks for the
// create hooks (it does when config.json has any); gets the init's pid, runs prestart and
// createRuntime (throwing fails the launch) and returns the state the init passes on to
// createContainer and startContainer.
using CreateHooks = std::function<nlohmann::json(pid_t init_pid)>;
InitProcess launch_init(const Spec& spec, const InitFiles& files, const std::string& mode, Cgroup& cgroup, const int (&stdio)[3],
                        bool relay_terminal = false, const CreateHooks& create_hooks = {});

// Throws Error when fd (one of a container process's stdio; -1: ours) is a folder, which
// would give the container a way into the host's files. Other host files are kept as Docker
// keeps its pipes: the engine's output and stdin FIFOs (containers/<id>/stdout...) survive an
// engine restart, and a FIFO leads nowhere (/proc/1/fd/1/.. is not a path); readlink of
// /proc/1/fd/1 only shows where the state root is.
void check_stdio(int fd, int target);

// Kills (SIGKILL) and waits for a process we launched, whether or not it is our child.
void kill_and_wait(pid_t pid, int pidfd);

int pidfd_open(pid_t pid);

}  // namespace mycompose::runtime
