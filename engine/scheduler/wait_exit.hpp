#pragma once
// Sleeping on a container's init without busy polling.
#include <sys/types.h>

#include <chrono>

namespace mycompose::scheduler {

// Sleeps until the process `pid` exits or `slice` passes (a pidfd; a plain sleep without one).
void wait_a_little(pid_t pid, std::chrono::milliseconds slice);

}  // namespace mycompose::scheduler
