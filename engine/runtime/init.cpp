// PID 1 of every container: finishes the container's setup (rootfs, hostname, sysctl…) and
// forks the app, which drops to its own privileges and waits for `start`. From then on the
// init holds no more than the app (CAP_KILL at most, no_new_privs, the app's seccomp filter):
// a container process allowed to ptrace it (CAP_SYS_PTRACE) gains nothing. It forwards
// signals, reaps every zombie and exits with the app's status after writing it into the
// exit record, the one host file it holds (write-only, given by the runtime; never a folder).
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <linux/capability.h>
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
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "mycompose/common/error.hpp"
#include "mycompose/runtime/capabilities.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/runtime/seccomp.hpp"
#include "hooks.hpp"
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

// One pwrite of a few bytes into the empty record: a reader sees all of it or nothing
// (read_exit_code takes an empty or unparsable file as no record). Written in place, without
// fsync: the init runs inside the container and holds only this file, never the folder, so it
// cannot make a temp file and rename it; the record only matters while the host (and the
// container's processes) are up.
void record_exit(int exit_fd, int code, int signal) {
  if (exit_fd < 0) return;
  char buf[128];
  int n = signal ? std::snprintf(buf, sizeof buf, "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":%lld}\n", code, signal,
                                 static_cast<long long>(::time(nullptr)))
                 : std::snprintf(buf, sizeof buf, "{\"exitCode\":%d,\"finishedAt\":%lld}\n", code,
                                 static_cast<long long>(::time(nullptr)));
  if (::pwrite(exit_fd, buf, static_cast<size_t>(n), 0) == n) (void)!::ftruncate(exit_fd, n);
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

[[noreturn]] void finish(int exit_fd, int code, int signal) {
  record_exit(exit_fd, code, signal);
  _exit(code);
}

// The app, forked during create: it drops to its own privileges (prepare_process), reports
// how that went, and waits for a byte on the returned pipe, which `start` makes us write. It
// takes only its stdio, the pipe and its terminal: not the sync socket, the exit record or
// exec.fifo. A failure to get ready (a capability the host lacks, an rlimit, a user) is thrown
// here, so that create fails with it.
UniqueFd fork_app(const json& process, const CompiledSeccomp& seccomp, int tty_slave, const json& spec, const json& state,
                  pid_t* pid) {
  int p[2], s[2];
  check_syscall(::pipe2(p, O_CLOEXEC), "pipe for the app's start");
  UniqueFd wait_end(p[0]), go(p[1]);
  check_syscall(::pipe2(s, O_CLOEXEC), "pipe for the app's setup");
  UniqueFd status_r(s[0]), status_w(s[1]);
  *pid = ::fork();
  if (*pid < 0) throw SystemError("fork the app", errno);
  if (*pid == 0) {
    int w = ::fcntl(wait_end.get(), F_DUPFD_CLOEXEC, 10), st = ::fcntl(status_w.get(), F_DUPFD_CLOEXEC, 10),
        t = tty_slave >= 0 ? ::fcntl(tty_slave, F_DUPFD_CLOEXEC, 10) : -1;
    if (w < 0 || st < 0 || (tty_slave >= 0 && t < 0) || ::dup3(w, 3, O_CLOEXEC) != 3 || ::dup3(st, 4, O_CLOEXEC) != 4 ||
        (t >= 0 && ::dup3(t, 5, O_CLOEXEC) != 5))
      _exit(1);
    ::close_range(t >= 0 ? 6 : 5, ~0U, 0);
    AppStart start;
    start.go_fd = 3;
    start.status_fd = 4;
    if (has_hooks(spec, "startContainer")) {
      start.spec = &spec;
      start.state = state;
    }
    exec_process(process, seccomp, t >= 0 ? 5 : -1, start);
  }
  status_w.reset();
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(status_r.get(), buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (report.size() < 8192) report.append(buf, static_cast<std::size_t>(n));
  }
  if (report != "ok") {
    ::kill(*pid, SIGKILL);
    ::waitpid(*pid, nullptr, 0);
    *pid = -1;
    auto space = report.find(' ');
    if (space == std::string::npos) throw Error("the container process failed to get ready");
    throw Error(report.substr(space + 1), std::atoi(report.substr(0, space).c_str()));
  }
  return go;
}

// What the init keeps once the app is forked: it only waits, forwards signals and writes its
// exit record. CAP_KILL, when the app may hold it, lets it signal an app that changed to
// another user (gosu, su-exec); nothing else, in every set. no_new_privs, then the app's own
// filter (Docker runs its init, tini, under the container's capabilities and seccomp too).
void confine_init(const json& process, const CompiledSeccomp& seccomp) {
  json keep = json::array();
  const json& caps = process.value("capabilities", json::object());
  if (caps.is_object() && caps.contains("bounding") && caps["bounding"].is_array())
    for (const auto& name : caps["bounding"])
      if (name.is_string() && capability_numbers({name.get<std::string>()}) == std::vector<int>{CAP_KILL}) keep = {"CAP_KILL"};
  apply_capabilities({{"bounding", keep}, {"effective", keep}, {"permitted", keep}});
  set_no_new_privs();
  load_seccomp(seccomp);
}

}  // namespace

[[noreturn]] void init_main() {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  // Nobody in the container may open /proc/1/exe, /proc/1/fd or ptrace us without
  // CAP_SYS_PTRACE; with it, confine_init leaves nothing to gain.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ::prctl(PR_SET_NAME, "mycompose-init", 0, 0, 0);  // exec'd from a memfd, comm would be the fd number
  ::umask(0);
  UniqueFd exit_record, fifo, go;
  json process;
  CompiledSeccomp seccomp;
  Pty pty;
  std::string mode;
  bool relay = false;  // we keep the pty master (kTerminalRelay)
  pid_t app = -1;
  int sfd = -1;
  try {
    Message cfg = recv_message(kSyncFd, "the runtime");
    mode = cfg.body.at("mode").get<std::string>();
    relay = cfg.body.value("relayTerminal", false);
    exit_record = cfg.take_fd(0);
    if (!exit_record) throw Error("the runtime sent no exit record");
    if (mode == "create") {
      fifo = cfg.take_fd(1);
      if (!fifo) throw Error("the runtime sent no exec.fifo");
    }
    Spec spec = parse_spec(cfg.body.at("spec"), cfg.body.at("bundle").get<std::string>(), false);
    process = spec.raw["process"];
    seccomp.program = cfg.body.at("seccompBpf").get<std::vector<unsigned char>>();
    seccomp.flags = cfg.body.at("seccompFlags").get<unsigned>();
    const NamespaceSpec* cgns = spec.find(CLONE_NEWCGROUP);
    json hook_state;
    prepare_rootfs(spec, cgns && cgns->path.empty(), [&] {
      // Mounts made, pivot_root not yet (runtime.md "Lifecycle" 4-6): the runtime runs prestart
      // and createRuntime, then we run createContainer here, in the container's namespaces.
      bool any = false;
      for (const char* kind : {"prestart", "createRuntime", "createContainer", "startContainer"}) any = any || has_hooks(spec.raw, kind);
      if (!any) return;
      send_message(kSyncFd, {{"type", "hooks"}});
      Message done = recv_message(kSyncFd, "the runtime");
      if (done.body.value("type", "") != "hooks-done") throw Error("the runtime did not run the hooks");
      hook_state = done.body.value("state", json::object());
      run_hooks(spec.raw, "createContainer", hook_state);
      hook_state["status"] = "created";
    });
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
    sfd = ::signalfd(-1, &all, SFD_CLOEXEC);
    if (sfd < 0) throw SystemError("signalfd", errno);
    go = fork_app(process, seccomp, pty.slave.get(), spec.raw, hook_state, &app);
    pty.slave.reset();
    confine_init(process, seccomp);
    send_message(kSyncFd, {{"type", "ready"}}, {relay ? -1 : pty.master.get()});
    if (!relay) pty.master.reset();
  } catch (const std::exception& e) {
    if (app > 0) ::kill(app, SIGKILL);
    const Error* err = dynamic_cast<const Error*>(&e);
    try {
      send_message(kSyncFd, {{"type", "error"}, {"message", e.what()}, {"exitCode", err ? err->exit_code() : 1}});
    } catch (...) {
    }
    _exit(1);
  }

  // Wait for start: a byte in exec.fifo (create) or a message (run). A signal before that
  // ends the container as it would have ended the app (the app, parked, then reads EOF).
  for (;;) {
    pollfd fds[2] = {{mode == "create" ? fifo.get() : kSyncFd, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      finish(exit_record.get(), 1, 0);
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si;
      if (::read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
        finish(exit_record.get(), 128 + static_cast<int>(si.ssi_signo), static_cast<int>(si.ssi_signo));
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
  (void)!::write(go.get(), "1", 1);
  go.reset();
  // An app that failed while getting ready (its message is on its stderr) is gone already,
  // and its SIGCHLD was read while we waited.
  int status;
  if (::waitpid(app, &status, WNOHANG) == app) {
    int signal;
    int code = exit_code_of(status, &signal);
    finish(exit_record.get(), code, signal);
  }
  if (pty.master) {
    int signal;
    int code = exit_code_of(relay_until_exit(app, sfd, pty.master.get()), &signal);
    finish(exit_record.get(), code, signal);
  }
  for (;;) {
    signalfd_siginfo si;
    ssize_t n = ::read(sfd, &si, sizeof si);
    if (n != sizeof si) continue;
    if (si.ssi_signo != SIGCHLD) {
      ::kill(app, static_cast<int>(si.ssi_signo));
      continue;
    }
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == app) {
        int signal;
        int code = exit_code_of(status, &signal);
        finish(exit_record.get(), code, signal);
      }
    }
  }
}

}  // namespace mycompose::runtime
