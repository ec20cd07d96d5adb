#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <string>

#include "mycompose/build/cancel.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::build {
namespace {

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    auto n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child_main(const std::function<void()>& fn, int out_w, int err_w, pid_t parent) {
  // A builder that dies takes its step with it (the mount namespace then goes too).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);
  // The builder decides what a Ctrl-C or SIGTERM does to the step (run_in_child).
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  ::dup2(null, 0);
  ::dup2(out_w >= 0 ? out_w : null, 1);
  ::dup2(out_w >= 0 ? out_w : null, 2);
  try {
    if (::unshare(CLONE_NEWNS) != 0) throw SystemError("unshare(CLONE_NEWNS) for a build step", errno);
    // Our mounts must not propagate back to the host's namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) throw SystemError("make / rprivate for a build step", errno);
    fn();
  } catch (const std::exception& e) {
    write_all(err_w, e.what());
    ::_exit(1);
  } catch (...) {
    write_all(err_w, "build step failed");
    ::_exit(1);
  }
  ::_exit(0);
}

}  // namespace

void run_in_child(const std::function<void()>& fn, const std::function<void(std::string_view)>& output,
                  const std::function<void()>& stop) {
  throw_if_canceled();
  int outp[2] = {-1, -1}, errp[2];
  if (output && ::pipe2(outp, O_CLOEXEC) != 0) throw SystemError("pipe for a build step", errno);
  UniqueFd out_r(outp[0]), out_w(outp[1]);
  if (::pipe2(errp, O_CLOEXEC) != 0) throw SystemError("pipe for a build step", errno);
  UniqueFd err_r(errp[0]), err_w(errp[1]);
  ::fflush(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw SystemError("fork a build step", errno);
  if (pid == 0) child_main(fn, out_w.get(), err_w.get(), parent);
  out_w.reset();
  err_w.reset();
  std::string err;
  bool out_open = static_cast<bool>(out_r), err_open = true;
  int seen_signals = 0;
  char buf[16384];
  while (out_open || err_open) {
    const int signals = cancel_signals();
    if (signals && !stop) {
      // Nothing to stop gracefully: the child goes now (its pipes may stay open in what it
      // started, so they are not waited for).
      ::kill(pid, SIGKILL);
      break;
    }
    if (signals && !seen_signals) stop();
    seen_signals = signals;
    pollfd fds[3] = {{out_open ? out_r.get() : -1, POLLIN, 0}, {err_open ? err_r.get() : -1, POLLIN, 0}, {cancel_fd(), POLLIN, 0}};
    // Once cancelled, stop again every 200 ms: the container may not have existed yet.
    if (::poll(fds, 3, signals ? 200 : -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (signals && (fds[2].revents & POLLIN) == 0) stop();
    if (fds[2].revents & POLLIN) {
      char drain[64];
      while (::read(cancel_fd(), drain, sizeof drain) > 0) {
      }
    }
    if (fds[0].revents) {
      auto n = ::read(out_r.get(), buf, sizeof buf);
      if (n > 0) output(std::string_view(buf, static_cast<std::size_t>(n)));
      else if (n == 0 || errno != EINTR) out_open = false;
    }
    if (fds[1].revents) {
      auto n = ::read(err_r.get(), buf, sizeof buf);
      if (n > 0) err.append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EINTR) err_open = false;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (cancel_signals() > 0) throw Canceled();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (!err.empty()) throw Error(err);
  if (WIFSIGNALED(status)) throw Error(std::string("build step process killed by signal ") + ::strsignal(WTERMSIG(status)));
  throw Error("build step process exited with status " + std::to_string(WEXITSTATUS(status)));
}

}  // namespace mycompose::build
