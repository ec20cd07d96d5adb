#pragma once
// The runtime's side of a foreground process (run, exec): forwards signals to it, proxies
// its pty with our stdio, and returns its exit status the way a shell reports it.
#include <signal.h>
#include <sys/types.h>

namespace mycompose::runtime {

// The signals a foreground runtime forwards instead of dying from them. Block them before
// creating the process so none is lost in between.
sigset_t forwarded_signals();

// pid must be our child (or reparented to us as subreaper). pty_master < 0: no terminal.
int wait_foreground(pid_t pid, int pidfd, int pty_master);

}  // namespace mycompose::runtime
