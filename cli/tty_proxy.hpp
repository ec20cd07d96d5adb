#pragma once
// The foreground side of `run`: the CLI's stdin, stdout and stderr joined to a one-off
// container's (FIFOs, or the pty master the runtime sent to our console socket) until the
// container's init exits; the signals we get are passed on, and a terminal's size follows ours.
#include <filesystem>
#include <functional>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::cli {

struct ContainerStdio {
  UniqueFd input;          // where our stdin goes: a FIFO's write end, or the pty master
  UniqueFd output, error;  // FIFO read ends; with a terminal, output is the pty master
  bool terminal = false;
};

// Returns once the container's init has exited and its output has been copied. pidfd < 0
// (it was gone before we looked): only the output is copied. stopped() asks the runtime, for
// when the outputs end before the pidfd says anything. forward(sig) delivers a signal we
// received (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2).
void proxy_stdio(int pidfd, ContainerStdio io, const std::function<void(int)>& forward, const std::function<bool()>& stopped);

// runc's --console-socket protocol, the receiving side: a unix socket listening at path.
UniqueFd listen_console_socket(const std::filesystem::path& path);
// The pty master sent by the runtime (which connected while creating the container).
UniqueFd receive_pty_master(int listener);

}  // namespace mycompose::cli
