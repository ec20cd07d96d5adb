// PID 1 of every container: finishes the container's setup (rootfs, hostname, sysctl…),
// waits for `start`, then runs the app as its child, forwards signals to it, reaps every
// zombie and exits with the app's status after recording it in the state folder.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "mycompose/common/error.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "process_setup.hpp"
#include "rootfs.hpp"
#include "spec.hpp"
#include "state_store.hpp"
#include "sync_socket.hpp"
#include "terminal_relay.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;

constexpr int kSyncFd = 3;  // the socket to the runtime, placed here before the exec

// Atomic (write temp, rename) so a reader never sees half a file, even if the engine reads
// it long after we are gone. No fsync: see fs::replace_file.
void record_exit(int state_fd, int code, int signal) {
  if (state_fd < 0) return;
  char buf[128];
  int n = signal ? std::snprintf(buf, sizeof buf, "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":%lld}\n", code, signal,
                                 static_cast<long long>(::time(nullptr)))
                 : std::snprintf(buf, sizeof buf, "{\"exitCode\":%d,\"finishedAt\":%lld}\n", code,
                                 static_cast<long long>(::time(nullptr)));
  int fd = ::openat(state_fd, ".exit.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = ::write(fd, buf, static_cast<size_t>(n)) == n;
  ::close(fd);
  if (ok) ::renameat(state_fd, ".exit.tmp", state_fd, kExitFile);
}

int exit_code_of(int status, int* signal) {
  *signal = 0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  *signal = WTERMSIG(status);
  return 128 + *signal;
}

struct Pty {
  UniqueFd master, slave;
};

// A pty from the container's own devpts (via /dev/ptmx → pts/ptmx), bound on /dev/console.
Pty open_pty() {
  Pty p;
  p.master.reset(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!p.master) throw SystemError("open /dev/ptmx", errno);
  int unlock = 0, n = 0;
  check_syscall(::ioctl(p.master.get(), TIOCSPTLCK, &unlock), "unlock the pty");
  check_syscall(::ioctl(p.master.get(), TIOCGPTN, &n), "get the pty number");
  std::string name = "/dev/pts/" + std::to_string(n);
  p.slave.reset(::open(name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!p.slave) throw SystemError("open " + name, errno);
  int c = ::open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (c >= 0) {
    ::close(c);
    ::mount(name.c_str(), "/dev/console", nullptr, MS_BIND, nullptr);
  }
  return p;
}

[[noreturn]] void finish(int state_fd, int code, int signal) {
  record_exit(state_fd, code, signal);
  _exit(code);
}

}  // namespace

[[noreturn]] void init_main() {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  // Nobody in the container may open /proc/1/exe, /proc/1/fd or ptrace us.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ::prctl(PR_SET_NAME, "mycompose-init", 0, 0, 0);  // exec'd from a memfd, comm would be the fd number
  ::umask(0);
  int state_fd = -1;
  json process;
  CompiledSeccomp seccomp;
  Pty pty;
  UniqueFd fifo;
  std::string mode;
  bool relay = false;  // we keep the pty master (kTerminalRelay)
  try {
    Message cfg = recv_message(kSyncFd, "the runtime");
    mode = cfg.body.at("mode").get<std::string>();
    relay = cfg.body.value("relayTerminal", false);
    state_fd = cfg.fd.release();
    if (state_fd < 0) throw Error("the runtime sent no state folder");
    Spec spec = parse_spec(cfg.body.at("spec"), cfg.body.at("bundle").get<std::string>(), false);
    process = spec.raw["process"];
    seccomp.program = cfg.body.at("seccompBpf").get<std::vector<unsigned char>>();
    seccomp.flags = cfg.body.at("seccompFlags").get<unsigned>();
    const NamespaceSpec* cgns = spec.find(CLONE_NEWCGROUP);
    prepare_rootfs(spec, cgns && cgns->path.empty());
    std::string hostname = spec.raw.value("hostname", "");
    if (!hostname.empty()) check_syscall(::sethostname(hostname.data(), hostname.size()), "sethostname " + hostname);
    std::string domainname = spec.raw.value("domainname", "");
    if (!domainname.empty())
      check_syscall(::setdomainname(domainname.data(), domainname.size()), "setdomainname " + domainname);
    finalize_rootfs(spec);
    if (process.value("terminal", false)) pty = open_pty();
    (void)!::chdir(process.value("cwd", "/").c_str());
    ExecLookup exe = find_executable(process["args"][0].get<std::string>(), process.value("env", std::vector<std::string>{}));
    if (!exe.message.empty()) throw Error(exe.message, exe.exit_code);
    ::chdir("/");
    if (mode == "create") {
      fifo.reset(::openat(state_fd, kFifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
      if (!fifo) throw SystemError("open exec.fifo", errno);
    }
    send_message(kSyncFd, {{"type", "ready"}}, relay ? -1 : pty.master.get());
    if (!relay) pty.master.reset();
  } catch (const Error& e) {
    try {
      send_message(kSyncFd, {{"type", "error"}, {"message", e.what()}, {"exitCode", e.exit_code()}});
    } catch (...) {
    }
    _exit(1);
  } catch (const std::exception& e) {
    try {
      send_message(kSyncFd, {{"type", "error"}, {"message", e.what()}, {"exitCode", 1}});
    } catch (...) {
    }
    _exit(1);
  }

  int sfd = ::signalfd(-1, &all, SFD_CLOEXEC);
  if (sfd < 0) finish(state_fd, 1, 0);
  // Wait for start: a byte in exec.fifo (create) or a message (run). A signal before that
  // ends the container as it would have ended the app.
  for (;;) {
    pollfd fds[2] = {{mode == "create" ? fifo.get() : kSyncFd, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      finish(state_fd, 1, 0);
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
        finish(state_fd, 128 + static_cast<int>(si.ssi_signo), static_cast<int>(si.ssi_signo));
    }
    if (fds[0].revents) {
      if (mode == "create") break;
      try {
        Message m = recv_message(kSyncFd, "the runtime");
        if (m.body.value("type", "") == "start") break;
      } catch (const Error&) {
        _exit(1);  // the runtime went away before starting us: nothing ran
      }
    }
  }
  fifo.reset();
  ::close(kSyncFd);

  pid_t app = ::fork();
  if (app < 0) finish(state_fd, 1, 0);
  if (app == 0) {
    ::close(sfd);
    ::close(state_fd);
    exec_process(process, seccomp, pty.slave ? pty.slave.release() : -1);
  }
  pty.slave.reset();
  if (pty.master) {
    int signal;
    int code = exit_code_of(relay_until_exit(app, sfd, pty.master.get()), &signal);
    finish(state_fd, code, signal);
  }
  for (;;) {
    signalfd_siginfo si;
    ssize_t n = ::read(sfd, &si, sizeof si);
    if (n != sizeof si) continue;
    if (si.ssi_signo != SIGCHLD) {
      ::kill(app, static_cast<int>(si.ssi_signo));
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == app) {
        int signal;
        int code = exit_code_of(status, &signal);
        finish(state_fd, code, signal);
      }
    }
  }
}

}  // namespace mycompose::runtime
