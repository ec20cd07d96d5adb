// exec: a new process inside a running container — every namespace of its init (one
// setns(pidfd) call), its cgroup, and the same user/caps/seccomp/rlimits as the app.
//
// Nothing privileged is ever visible to the container: our child joins every namespace but
// stays in our pid namespace (setns of a pid namespace only applies to children), closes every
// fd it does not need, reads the container's files and drops to the process's privileges;
// only then does it fork the process that appears in the container's pid namespace and execs.
// A container process with CAP_SYS_PTRACE (cap_add) could otherwise attach to it while it
// still held our capabilities and host fds, e.g. while it read a FIFO planted as /etc/passwd.
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "foreground.hpp"
#include "launcher.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/runtime/capabilities.hpp"
#include "mycompose/runtime/cgroup.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "process_setup.hpp"
#include "spec.hpp"
#include "state_store.hpp"
#include "sync_socket.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;

json exec_process_spec(const json& config, const ExecOptions& o) {
  json p = config.at("process");
  p["args"] = o.args;
  std::vector<std::string> env = p.value("env", std::vector<std::string>{});
  for (const auto& kv : o.env) {
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(env, [&](const std::string& e) { return e.compare(0, key.size() + 1, key + "=") == 0 || e == key; });
    env.push_back(kv.find('=') == std::string::npos ? kv + "=" : kv);
  }
  p["env"] = env;
  if (!o.cwd.empty()) p["cwd"] = o.cwd;
  p["terminal"] = o.tty;
  if (o.privileged) {
    const auto all = bounding_capability_names();
    json caps = p.value("capabilities", json::object());
    for (const char* set : {"bounding", "permitted", "effective"}) caps[set] = all;
    p["capabilities"] = caps;
  }
  return p;
}

// In the container (after setns): the pty comes from the container's own devpts.
UniqueFd open_container_pty(UniqueFd& slave) {
  UniqueFd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw SystemError("open /dev/ptmx in the container", errno);
  int unlock = 0, n = 0;
  check_syscall(::ioctl(master.get(), TIOCSPTLCK, &unlock), "unlock the pty");
  check_syscall(::ioctl(master.get(), TIOCGPTN, &n), "get the pty number");
  std::string name = "/dev/pts/" + std::to_string(n);
  slave.reset(::open(name.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw SystemError("open " + name, errno);
  return master;
}

// Our child, in the container's namespaces but not its pid namespace. Sends "ready" with the
// pid (ours) of the process it forked into the container, or "error".
[[noreturn]] void exec_child(int sock, int init_pidfd, int root_fd, int ns_flags, json process, const CompiledSeccomp& seccomp, const std::string& user,
                             const std::vector<UniqueFd>& cgroup_self_join) {
  try {
    // Here, while /proc/self is still us: the container's /proc does not show us.
    if (process.contains("oomScoreAdj")) set_oom_score_adj(process["oomScoreAdj"].get<int>());
    process.erase("oomScoreAdj");
    if (!join_self(cgroup_self_join)) throw SystemError("join the container's cgroup", errno);
    // With CLONE_NEWPID this sets the pid namespace of our children, not ours.
    if (::setns(init_pidfd, ns_flags) != 0) throw SystemError("join the container's namespaces", errno);
    // A container without a mount namespace of its own is chrooted in ours: so is its exec.
    if (root_fd >= 0 && (::fchdir(root_fd) != 0 || ::chroot(".") != 0 || ::chdir("/") != 0))
      throw SystemError("chroot into the container's root", errno);
    // Only stdio and the socket go on: our other fds (a cgroup folder, the caller's files)
    // would be host objects in the container (CVE-2024-21626).
    if (sock != 3 && ::dup3(sock, 3, O_CLOEXEC) != 3) throw SystemError("dup the exec socket", errno);
    sock = 3;
    ::close_range(4, ~0U, 0);
    Message go = recv_message(sock, "the runtime");
    if (go.body.value("type", "") != "go") _exit(1);
    if (!user.empty()) process["user"] = resolve_user(user);
    UniqueFd slave, master;
    if (process.value("terminal", false)) master = open_container_pty(slave);
    ExecLookup exe = find_executable(process["args"][0].get<std::string>(), process.value("env", std::vector<std::string>{}));
    if (!exe.message.empty()) {
      if (::chdir(process.value("cwd", "/").c_str()) == 0) exe = find_executable(process["args"][0].get<std::string>(), process.value("env", std::vector<std::string>{}));
      if (!exe.message.empty()) throw Error(exe.message, exe.exit_code);
    }
    PreparedExec prepared = prepare_process(process, seccomp);
    pid_t pid = ::fork();
    if (pid < 0) throw SystemError("fork the exec process", errno);
    if (pid == 0) {
      ::close(sock);
      master.reset();
      try {
        attach_terminal(slave ? slave.release() : -1);
      } catch (const Error& e) {
        std::string line = std::string("error: ") + e.what() + "\n";
        (void)!::write(2, line.data(), line.size());
        _exit(1);
      }
      exec_prepared(prepared);
    }
    send_message(sock, {{"type", "ready"}, {"pid", pid}}, {master.get()});
    _exit(0);
  } catch (const Error& e) {
    try {
      send_message(sock, {{"type", "error"}, {"message", e.what()}, {"exitCode", e.exit_code()}});
    } catch (...) {
    }
    _exit(1);
  } catch (const std::exception& e) {
    try {
      send_message(sock, {{"type", "error"}, {"message", e.what()}, {"exitCode", 1}});
    } catch (...) {
    }
    _exit(1);
  }
}

}  // namespace

int Runtime::exec(const std::string& id, const ExecOptions& opts) {
  if (opts.args.empty()) throw Error("exec: a command is required");
  std::filesystem::path dir = container_dir(root_, id);
  StoredState s = read_state(dir, id);
  ContainerState c = current_state(dir, s);
  if (c.status != "running") throw Error("cannot exec in container \"" + id + "\": it is " + c.status + ", not running");
  json config = json::parse(fs::read_file(dir / kConfigFile, 16 << 20));
  json process = exec_process_spec(config, opts);
  check_process(process, "exec process");
  check_capabilities_held(process, "exec process");
  // Compiled before fork: the child only makes the seccomp() call.
  CompiledSeccomp seccomp = compile_seccomp(config.value("linux", json::object()).value("seccomp", json()));
  Spec spec = parse_spec(config, s.oci.bundle, false);
  int ns_flags = 0;
  for (const auto& n : spec.namespaces) ns_flags |= n.flag;

  UniqueFd init_pidfd(pidfd_open(c.pid));
  if (!init_pidfd || process_start_time(c.pid) != s.init_start_time) throw Error("container \"" + id + "\" is not running");
  UniqueFd chroot_fd;
  if (!(ns_flags & CLONE_NEWNS)) {
    chroot_fd.reset(::open(("/proc/" + std::to_string(c.pid) + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!chroot_fd || process_start_time(c.pid) != s.init_start_time) throw Error("container \"" + id + "\" is not running");
  }
  auto cgroup = Cgroup::open(s.cgroups_path);
  int sv[2];
  check_syscall(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair");
  UniqueFd sock(sv[0]), child_sock(sv[1]);

  int one = 1;
  check_syscall(::setsockopt(sock.get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one), "setsockopt SO_PASSCRED");
  for (int i = 0; i < 3; ++i) check_stdio(-1, i);

  sigset_t sigs = forwarded_signals();
  if (!opts.detach) sigprocmask(SIG_BLOCK, &sigs, nullptr);
  // The process is our grandchild: its parent exits once it is forked, and we must be the
  // one it is reparented to, to wait for it.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  // Not dumpable: no one may open /proc/<child>/exe (the host binary) or its fds.
  int dumpable = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  std::vector<UniqueFd> self_join = cgroup->open_self_join();
  pid_t child = ::fork();
  int fork_errno = errno;
  if (child == 0) exec_child(child_sock.get(), init_pidfd.get(), chroot_fd.get(), ns_flags, process, seccomp, opts.user, self_join);
  const bool joined_self = !self_join.empty();
  self_join.clear();
  ::prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
  if (child < 0) throw SystemError("fork the exec process", fork_errno);
  child_sock.reset();
  Message ready;
  UniqueFd pidfd;
  pid_t pid = -1;
  try {
    if (!joined_self) cgroup->add_process(child);
    send_message(sock.get(), {{"type", "go"}});
    ready = recv_message(sock.get(), "the exec process");
    // Only our child's word counts (the kernel vouches for the sender), not a process in the
    // container that got hold of the socket.
    if (ready.sender != child) throw Error("exec: a message from an unexpected process");
    if (ready.body.value("type", "") == "error")
      throw Error(ready.body.value("message", "exec failed"), ready.body.value("exitCode", 1));
    pid = ready.body.at("pid").get<pid_t>();
    int status;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    child = -1;
    // Our child (reparented to us) until we reap it, so the pid cannot be anyone else's.
    pidfd.reset(pidfd_open(pid));
    if (!pidfd) throw SystemError("pidfd_open of the exec process", errno);
  } catch (...) {
    if (child > 0) kill_and_wait(child, -1);
    if (pid > 0) kill_and_wait(pid, -1);
    throw;
  }
  if (opts.detach) return 0;
  UniqueFd master = ready.take_fd();
  return wait_foreground(pid, pidfd.get(), master.get());
}

}  // namespace mycompose::runtime
