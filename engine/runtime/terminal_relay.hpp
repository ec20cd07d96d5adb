#pragma once
// The init's side of a terminal it keeps (kTerminalRelay): copies the pty master to its
// stdout and its stdin to the master while the app runs, and forwards signals and reaps as
// the plain init loop does.
#include <sys/types.h>

namespace mycompose::runtime {

// Returns the app's wait status once it has exited and its last output is copied.
int relay_until_exit(pid_t app, int signal_fd, int master);

}  // namespace mycompose::runtime
