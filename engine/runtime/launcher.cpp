#include "launcher.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "cloned_binary.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "state_store.hpp"
#include "sync_socket.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;

struct Joined {
  int flag;
  UniqueFd fd;
  std::string path;
};

[[noreturn]] void child_fail(int sock, const std::string& msg) {
  try {
    send_message(sock, {{"type", "error"}, {"message", msg}, {"exitCode", 1}});
  } catch (...) {
  }
  _exit(1);
}

void join(int sock, const Joined& j) {
  if (::setns(j.fd.get(), j.flag) != 0)
    child_fail(sock, "join " + std::string(namespace_proc_name(j.flag)) + " namespace " + j.path + ": " + std::strerror(errno));
}

// Before the init's exec: the container's stdio. Copies first, so a source fd that is itself
// 0, 1 or 2 is not overwritten before it is used.
void set_stdio(int sock, const int (&stdio)[3]) {
  int copies[3];
  for (int i = 0; i < 3; ++i) {
    copies[i] = stdio[i] < 0 ? -1 : ::fcntl(stdio[i], F_DUPFD_CLOEXEC, 10);
    if (stdio[i] >= 0 && copies[i] < 0) child_fail(sock, std::string("dup the container's stdio: ") + std::strerror(errno));
  }
  for (int i = 0; i < 3; ++i)
    if (copies[i] >= 0 && ::dup2(copies[i], i) != i) child_fail(sock, std::string("dup2 the container's stdio: ") + std::strerror(errno));
}

[[noreturn]] void exec_init(int sock, int memfd) {
  int s = ::fcntl(sock, F_DUPFD_CLOEXEC, 10);
  int m = ::fcntl(memfd, F_DUPFD_CLOEXEC, 10);
  if (s < 0 || m < 0 || ::dup2(s, 3) != 3) child_fail(sock, std::string("dup: ") + std::strerror(errno));
  ::close_range(4, ~0U, CLOSE_RANGE_CLOEXEC);
  char* argv[] = {const_cast<char*>("mycompose-init"), const_cast<char*>("runtime"), const_cast<char*>("init"), nullptr};
  char* envp[] = {nullptr};
  ::syscall(SYS_execveat, m, "", argv, envp, AT_EMPTY_PATH);
  child_fail(3, std::string("exec the init from its memfd: ") + std::strerror(errno));
}

std::string id_map(const json& maps) {
  std::string out;
  for (const auto& m : maps)
    out += std::to_string(m["containerID"].get<long long>()) + " " + std::to_string(m["hostID"].get<long long>()) + " " +
           std::to_string(m["size"].get<long long>()) + "\n";
  return out;
}

void write_proc_file(pid_t pid, const char* name, const std::string& data) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || ::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()))
    throw SystemError("write " + path + " (\"" + data.substr(0, data.find('\n')) + "\")", errno);
}

[[noreturn]] void throw_child_error(const Message& m) {
  throw Error(m.body.value("message", "container init failed"), m.body.value("exitCode", 1));
}

}  // namespace

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

void kill_and_wait(pid_t pid, int pidfd) {
  if (pid <= 0) return;
  UniqueFd own;
  if (pidfd < 0) {
    own.reset(pidfd_open(pid));
    pidfd = own.get();
  }
  if (pidfd < 0) return;
  ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
  pollfd p{pidfd, POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
  siginfo_t si;
  ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &si, WEXITED | WNOHANG);
}

void check_stdio(int fd, int target) {
  struct stat st {};
  if (::fstat(fd < 0 ? target : fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    static constexpr const char* kNames[] = {"stdin", "stdout", "stderr"};
    throw Error(std::string("the container's ") + kNames[target] + " is a folder: it would open the host's files to the container");
  }
}

InitProcess launch_init(const Spec& spec, const InitFiles& files, const std::string& mode, Cgroup& cgroup, const int (&stdio)[3],
                        bool relay_terminal, const CreateHooks& create_hooks) {
  for (int i = 0; i < 3; ++i) check_stdio(stdio[i], i);
  if (files.exit_record < 0 || (mode == "create" && files.start_fifo < 0)) throw Error("launch the container init: state files missing");
  UniqueFd memfd = sealed_self_copy();
  int sv[2];
  check_syscall(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair");
  UniqueFd parent_sock(sv[0]), child_sock(sv[1]);
  int one = 1;
  check_syscall(::setsockopt(parent_sock.get(), SOL_SOCKET, SO_PASSCRED, &one, sizeof one), "setsockopt SO_PASSCRED");

  std::vector<Joined> joined;
  UniqueFd joined_pid, own_pid;
  for (const auto& n : spec.namespaces) {
    if (n.path.empty()) continue;
    UniqueFd fd(::open(n.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SystemError("open " + n.type + " namespace " + n.path, errno);
    if (n.flag == CLONE_NEWPID) joined_pid = std::move(fd);
    else joined.push_back({n.flag, std::move(fd), n.path});
  }
  // The user namespace goes first: the others are then joined/created as its root.
  std::stable_partition(joined.begin(), joined.end(), [](const Joined& j) { return j.flag == CLONE_NEWUSER; });
  const NamespaceSpec* user = spec.find(CLONE_NEWUSER);
  bool two_step = user != nullptr;
  int new_flags = spec.clone_flags_new() & ~CLONE_NEWCGROUP;

  // A joined pid namespace applies to our children: enter it for the clone, then go back.
  if (joined_pid) {
    own_pid.reset(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (::setns(joined_pid.get(), CLONE_NEWPID) != 0) throw SystemError("join pid namespace " + spec.find(CLONE_NEWPID)->path, errno);
  }
  std::vector<UniqueFd> self_join = cgroup.open_self_join();
  long child = ::syscall(SYS_clone, (two_step ? 0 : new_flags) | SIGCHLD, nullptr, nullptr, nullptr, 0);
  int clone_errno = errno;
  if (own_pid) ::setns(own_pid.get(), CLONE_NEWPID);
  if (child < 0) throw SystemError("clone the container init", clone_errno);
  if (child == 0) {
    int sock = child_sock.get();
    if (!join_self(self_join)) child_fail(sock, std::string("join the container's cgroup: ") + std::strerror(errno));
    set_stdio(sock, stdio);
    if (!two_step) {
      for (const auto& j : joined) join(sock, j);
      exec_init(sock, memfd.get());
    }
    if (user->path.empty()) {
      if (::unshare(CLONE_NEWUSER) != 0) child_fail(sock, std::string("unshare the user namespace: ") + std::strerror(errno));
    }
    for (const auto& j : joined) join(sock, j);
    try {
      send_message(sock, {{"type", "maps"}});
      Message m = recv_message(sock, "the runtime");
      if (m.body.value("type", "") != "maps-done") _exit(1);
    } catch (...) {
      _exit(1);
    }
    ::setresgid(0, 0, 0);
    ::setresuid(0, 0, 0);
    if (::unshare(new_flags & ~CLONE_NEWUSER) != 0) child_fail(sock, std::string("unshare namespaces: ") + std::strerror(errno));
    pid_t g = ::fork();
    if (g < 0) child_fail(sock, std::string("fork the init: ") + std::strerror(errno));
    if (g > 0) _exit(0);
    exec_init(sock, memfd.get());
  }
  child_sock.reset();
  memfd.reset();
  const bool joined_self = !self_join.empty();
  self_join.clear();
  InitProcess init;
  pid_t child_pid = static_cast<pid_t>(child);
  try {
    if (!joined_self) cgroup.add_process(child_pid);
    if (two_step) {
      Message m = recv_message(parent_sock.get(), "the container init");
      if (m.body.value("type", "") == "error") throw_child_error(m);
      const json& lx = spec.raw.value("linux", json::object());
      if (user->path.empty()) {
        write_proc_file(child_pid, "uid_map", id_map(lx["uidMappings"]));
        write_proc_file(child_pid, "gid_map", id_map(lx["gidMappings"]));
      }
      send_message(parent_sock.get(), {{"type", "maps-done"}});
      int status;
      while (::waitpid(child_pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        Message e = recv_message(parent_sock.get(), "the container init");
        throw_child_error(e);
      }
    }
    // As fds: the init, in its own mount (and maybe user) namespace, opens nothing of ours.
    send_message(parent_sock.get(),
                 {{"type", "config"},
                  {"mode", mode},
                  {"relayTerminal", relay_terminal},
                  {"bundle", spec.bundle.string()},
                  {"spec", spec.raw},
                  // Built here once: libseccomp in the init cost ~40 ms per start.
                  {"seccompBpf", spec.seccomp.program},
                  {"seccompFlags", spec.seccomp.flags}},
                 {files.exit_record, mode == "create" ? files.start_fifo : -1});
    Message ready = recv_message(parent_sock.get(), "the container init");
    if (ready.body.value("type", "") == "hooks") {
      json state = create_hooks ? create_hooks(ready.sender) : json::object();
      send_message(parent_sock.get(), {{"type", "hooks-done"}, {"state", state}});
      ready = recv_message(parent_sock.get(), "the container init");
    }
    if (ready.body.value("type", "") == "error") throw_child_error(ready);
    init.pid = two_step ? ready.sender : child_pid;
    init.pty_master = ready.take_fd();
  } catch (const Error& e) {
    if (!two_step) kill_and_wait(child_pid, -1);
    // Two-step: the init (if any) exits when it finds the socket closed.
    throw;
  }
  init.pidfd.reset(pidfd_open(init.pid));
  if (!init.pidfd) throw SystemError("pidfd_open of the container init", errno);
  init.start_time = process_start_time(init.pid);
  init.sock = std::move(parent_sock);
  return init;
}

}  // namespace mycompose::runtime
