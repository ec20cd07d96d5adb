#include "tty_proxy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "mycompose/common/error.hpp"

namespace mycompose::cli {
namespace {

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// Our terminal in raw mode while a container's terminal is attached (keys such as ^C go to
// the container), restored on the way out.
class RawTerminal {
 public:
  RawTerminal() {
    if (!::isatty(0) || ::tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(0, TCSANOW, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

// Blocks the signals we pass on and reads them from a signalfd; unblocks on the way out.
class SignalFd {
 public:
  SignalFd() {
    sigemptyset(&set_);
    for (int s : kForwarded) sigaddset(&set_, s);
    sigaddset(&set_, SIGWINCH);
    ::sigprocmask(SIG_BLOCK, &set_, &old_);
    fd_.reset(::signalfd(-1, &set_, SFD_CLOEXEC));
    if (!fd_) throw SystemError("signalfd", errno);
  }
  ~SignalFd() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
  int fd() const { return fd_.get(); }

 private:
  sigset_t set_, old_;
  UniqueFd fd_;
};

void copy_size(int pty) {
  winsize ws{};
  if (::ioctl(1, TIOCGWINSZ, &ws) == 0 || ::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(pty, TIOCSWINSZ, &ws);
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

void proxy_stdio(int pidfd, ContainerStdio io, const std::function<void(int)>& forward, const std::function<bool()>& stopped) {
  SignalFd signals;
  std::optional<RawTerminal> raw;
  if (io.terminal) {
    raw.emplace();
    copy_size(io.output.get());
  }
  bool stdin_open = static_cast<bool>(io.input), exited = pidfd < 0;
  char buf[65536];
  for (;;) {
    pollfd p[5] = {{stdin_open ? 0 : -1, POLLIN, 0},
                   {io.output ? io.output.get() : -1, POLLIN, 0},
                   {io.error ? io.error.get() : -1, POLLIN, 0},
                   {exited ? -1 : pidfd, POLLIN, 0},
                   {signals.fd(), POLLIN, 0}};
    if (exited && !io.output && !io.error) return;
    // After the init's exit every process of the container is gone and the outputs end; the
    // timeout only guards against a writer that escaped the container.
    const bool outputs_done = !io.output && !io.error;
    int rc = ::poll(p, 5, exited ? 2000 : outputs_done ? 100 : -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) throw SystemError("poll", errno);
    if (rc == 0 && exited) return;
    if (rc == 0 && stopped()) return;  // a pidfd of a reused pid would never tell
    if (p[4].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(signals.fd(), &si, sizeof si) == sizeof si) {
        if (static_cast<int>(si.ssi_signo) == SIGWINCH) {
          if (io.terminal) copy_size(io.output.get());
        } else if (!exited) {
          forward(static_cast<int>(si.ssi_signo));
        }
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n > 0 && write_all(io.input.get(), buf, static_cast<size_t>(n))) {
      } else {
        stdin_open = false;
        if (!io.terminal) io.input.reset();  // the container's stdin ends as ours did
      }
    }
    for (int i : {1, 2}) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      UniqueFd& src = i == 1 ? io.output : io.error;
      ssize_t n = ::read(src.get(), buf, sizeof buf);
      if (n > 0) write_all(i, buf, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) src.reset();  // EOF, or EIO: the pty's other side is gone
    }
    if (p[3].revents & POLLIN) exited = true;
  }
}

UniqueFd listen_console_socket(const std::filesystem::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw SystemError("socket", errno);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof addr.sun_path) throw Error("console socket path too long: " + path.string());
  std::strcpy(addr.sun_path, path.c_str());
  check_syscall(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), "bind " + path.string());
  check_syscall(::listen(fd.get(), 1), "listen on " + path.string());
  return fd;
}

UniqueFd receive_pty_master(int listener) {
  pollfd p{listener, POLLIN, 0};
  // The runtime connected while it created the container, before the engine answered.
  if (::poll(&p, 1, 10000) <= 0) throw Error("the runtime did not send the container's terminal");
  UniqueFd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) throw SystemError("accept on the console socket", errno);
  char name[4096];
  iovec iov{name, sizeof name};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC) < 0) throw SystemError("receive the container's terminal", errno);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return UniqueFd(fd);
    }
  throw Error("the console socket carried no terminal");
}

}  // namespace mycompose::cli
