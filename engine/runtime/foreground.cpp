#include "foreground.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {
namespace {

// Restores the terminal mode of our stdin when the foreground process ends.
class RawMode {
 public:
  RawMode() {
    if (!::isatty(0) || ::tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~RawMode() {
    if (active_) ::tcsetattr(0, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

bool copy(int from, int to) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
  for (ssize_t off = 0; off < n;) {
    ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += w;
  }
  return true;
}

void copy_winsize(int master) {
  winsize ws;
  if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
}

}  // namespace

sigset_t forwarded_signals() {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM})
    sigaddset(&s, sig);
  return s;
}

int wait_foreground(pid_t pid, int pidfd, int pty_master) {
  sigset_t sigs = forwarded_signals();
  sigprocmask(SIG_BLOCK, &sigs, nullptr);
  UniqueFd sfd(::signalfd(-1, &sigs, SFD_CLOEXEC));
  if (!sfd) throw SystemError("signalfd", errno);
  std::optional<RawMode> raw;
  bool stdin_open = pty_master >= 0;
  if (pty_master >= 0) {
    raw.emplace();
    copy_winsize(pty_master);
  }
  bool exited = false;
  while (!exited) {
    pollfd fds[4] = {{pidfd, POLLIN, 0}, {sfd.get(), POLLIN, 0}, {pty_master, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
    if (::poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      throw SystemError("poll", errno);
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(sfd.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGWINCH && pty_master >= 0) copy_winsize(pty_master);
        else if (si.ssi_signo != SIGWINCH) ::syscall(SYS_pidfd_send_signal, pidfd, si.ssi_signo, nullptr, 0);
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) copy(pty_master, 1);
    if (fds[3].revents & (POLLIN | POLLHUP | POLLERR))
      if (!copy(0, pty_master)) stdin_open = false;
    if (fds[0].revents & POLLIN) exited = true;
  }
  // Whatever the process wrote before exiting is still in the pty.
  if (pty_master >= 0) {
    ::fcntl(pty_master, F_SETFL, ::fcntl(pty_master, F_GETFL) | O_NONBLOCK);
    while (copy(pty_master, 1)) {
      pollfd p{pty_master, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) break;
    }
  }
  siginfo_t si{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED) != 0) throw SystemError("wait for the container process", errno);
  sigprocmask(SIG_UNBLOCK, &sigs, nullptr);
  if (si.si_code == CLD_EXITED) return si.si_status;
  return 128 + si.si_status;
}

}  // namespace mycompose::runtime
