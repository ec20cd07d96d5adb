#include "terminal_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace mycompose::runtime {
namespace {

constexpr std::size_t kMaxPending = 64 * 1024;  // output held while stdout is full

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Writes what it can of pending to fd; false once fd is gone for good.
bool flush(int fd, std::string& pending) {
  while (!pending.empty()) {
    ssize_t n = ::write(fd, pending.data(), pending.size());
    if (n > 0) {
      pending.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    pending.clear();
    return false;
  }
  return true;
}

// Reads what the master has now; false at its end (EIO: no slave open any more).
bool drain(int master, std::string& pending) {
  char buf[16384];
  while (pending.size() < kMaxPending) {
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      pending.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
  return true;
}

// After the app: its last output goes out, waiting at most ~1 s for a full stdout (nobody may
// be reading it: the engine can be down).
void final_flush(int master, std::string& pending) {
  drain(master, pending);
  for (int i = 0; i < 10 && !pending.empty(); ++i) {
    if (!flush(STDOUT_FILENO, pending)) return;
    pollfd p{STDOUT_FILENO, POLLOUT, 0};
    ::poll(&p, 1, 100);
    if (pending.size() < kMaxPending) drain(master, pending);
  }
}

}  // namespace

int relay_until_exit(pid_t app, int signal_fd, int master) {
  set_nonblocking(master);
  set_nonblocking(STDOUT_FILENO);
  set_nonblocking(STDIN_FILENO);
  std::string out;  // master → stdout
  bool master_open = true, stdout_open = true, stdin_open = true;
  for (;;) {
    pollfd fds[4] = {{signal_fd, POLLIN, 0},
                     {master_open && out.size() < kMaxPending ? master : -1, POLLIN, 0},
                     {stdout_open && !out.empty() ? STDOUT_FILENO : -1, POLLOUT, 0},
                     {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
    if (::poll(fds, 4, -1) < 0) continue;  // EINTR: revents are not set
    if (fds[1].revents) master_open = drain(master, out);
    if (!stdout_open) out.clear();
    if (fds[2].revents || !out.empty()) stdout_open = stdout_open && flush(STDOUT_FILENO, out);
    if (fds[3].revents) {
      char buf[4096];
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n > 0) {
        // Input is typed, small: a full master (the app not reading) drops it rather than
        // stopping the init.
        (void)!::write(master, buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        stdin_open = false;
      }
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(signal_fd, &si, sizeof si) != sizeof si) continue;
      if (si.ssi_signo != SIGCHLD) {
        ::kill(app, static_cast<int>(si.ssi_signo));
        continue;
      }
      int status;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0)
        if (pid == app) {
          if (stdout_open) final_flush(master, out);
          return status;
        }
    }
  }
}

}  // namespace mycompose::runtime
