#include "mycompose/build/cancel.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <exception>

namespace mycompose::build {
namespace {

volatile sig_atomic_t g_count = 0, g_first = 0;
// A self-pipe (hand-written: a handler may only write(2)): poll wakes on it, where a flag
// set just before poll() would be missed.
int g_pipe[2] = {-1, -1};
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
  const int saved = errno;
  if (g_count >= 1) {  // the second: what the signal does by default (docker compose's force quit)
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(sig, &dfl, nullptr);
    ::raise(sig);  // pending until this handler returns
  } else {
    if (g_count == 0) g_first = sig;
    g_count = g_count + 1;
    if (::write(g_pipe[1], "x", 1) < 0) {
      // full: it is readable anyway
    }
  }
  errno = saved;
}

}  // namespace

CancelOnSignals::CancelOnSignals() {
  if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw SystemError("pipe for build cancellation", errno);
  char buf[64];
  while (::read(g_pipe[0], buf, sizeof buf) > 0) {
  }
  g_count = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

CancelOnSignals::~CancelOnSignals() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  const int sig = g_first;
  const bool unused = g_count > 0 && std::uncaught_exceptions() == 0;
  g_count = 0;
  g_first = 0;
  // A signal that came after the build's last look at it is the caller's again.
  if (unused) ::raise(sig);
}

int cancel_signals() { return g_count; }

int cancel_fd() { return g_pipe[0]; }

void throw_if_canceled() {
  if (g_count > 0) throw Canceled();
}

}  // namespace mycompose::build
