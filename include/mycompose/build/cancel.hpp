#pragma once
// Cancelling a build with Ctrl-C or SIGTERM, as docker compose does (exit 130 for both).
// While a CancelOnSignals lives in the process that builds, the first SIGINT/SIGTERM cancels
// the build: the step that runs is stopped (a RUN step's container through the runtime, so
// the step's own cleanup still runs: its network endpoint, mounts, folders, runtime state),
// the step is reported Canceled and Builder::build throws Canceled. A second signal takes
// its default action (docker compose's force quit): a RUN step's process then outlives the
// builder just long enough to stop its container and remove what it held (run_step.cpp).
// What the builder itself held (a COPY step's folders, its hold on the build network) is
// left to the next build or `system check --fix`, as after a SIGKILL.
#include "mycompose/common/error.hpp"

namespace mycompose::build {

// Thrown by Builder::build once cancelled; exit status 130 and no message, as docker compose.
class Canceled : public Error {
 public:
  Canceled() : Error("", 130) {}
};

class CancelOnSignals {
 public:
  CancelOnSignals();   // installs the handlers (and forgets any earlier cancel)
  ~CancelOnSignals();  // restores what SIGINT and SIGTERM did before
  CancelOnSignals(const CancelOnSignals&) = delete;
  CancelOnSignals& operator=(const CancelOnSignals&) = delete;
};

// Whether a signal cancelled the build (0: no; 1: yes).
int cancel_signals();
// Readable from the first signal on (for poll); -1 when no CancelOnSignals was ever made.
int cancel_fd();
// Throws Canceled when a signal came.
void throw_if_canceled();

}  // namespace mycompose::build
