#pragma once
// `exec -T` runs the process with our stdin, stdout and stderr. When one of them is the
// user's terminal, a process in the container holding it could type into the user's shell
// (TIOCSTI) or change the terminal; docker exec never hands a terminal over either (its
// streams go through the daemon). While a TerminalShield lives, each of fds 0, 1 and 2 that
// is a terminal is a pipe instead, copied to and from the terminal by our own threads.
#include <thread>
#include <vector>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::cli {

class TerminalShield {
 public:
  TerminalShield();
  // Puts the terminals back and waits until what the process wrote has been copied (the
  // copy of stdin is left to end with our process: it may be blocked reading the terminal).
  ~TerminalShield();
  TerminalShield(const TerminalShield&) = delete;
  TerminalShield& operator=(const TerminalShield&) = delete;

 private:
  UniqueFd saved_[3];               // the terminals, moved aside
  std::vector<std::thread> outputs_;  // pipe → terminal, for fds 1 and 2
};

}  // namespace mycompose::cli
