#include "ssh_forward.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::build {

namespace {

constexpr int kMaxConnections = 16;  // an agent client opens one or two; more is a runaway step

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) throw Error("ssh agent socket path too long: " + path);
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

bool write_all(int fd, const char* p, ssize_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= w;
  }
  return true;
}

// The forwarder's loop: pairs of (step side, agent side) fds, relayed both ways until one
// side closes. Agent messages are small, so a blocking write of what one read gave is fine.
[[noreturn]] void relay_forever(int listen_fd, const sockaddr_un& upstream) {
  struct Pair {
    int a, b;
  };
  std::vector<Pair> pairs;
  char buf[16384];
  for (;;) {
    std::vector<pollfd> fds{{listen_fd, POLLIN, 0}};
    for (const auto& p : pairs) {
      fds.push_back({p.a, POLLIN, 0});
      fds.push_back({p.b, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) ::_exit(1);
    std::vector<std::size_t> dead;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      for (int side = 0; side < 2; ++side) {
        const auto& pf = fds[1 + 2 * i + side];
        if (!(pf.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        int from = side ? pairs[i].b : pairs[i].a, to = side ? pairs[i].a : pairs[i].b;
        ssize_t n = ::read(from, buf, sizeof buf);
        if (n <= 0 || !write_all(to, buf, n)) {
          dead.push_back(i);
          break;
        }
      }
    }
    for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
      ::close(pairs[*it].a);
      ::close(pairs[*it].b);
      pairs.erase(pairs.begin() + static_cast<long>(*it));
    }
    if (fds[0].revents & POLLIN) {
      int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      int u = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (pairs.size() >= kMaxConnections || u < 0 ||
          ::connect(u, reinterpret_cast<const sockaddr*>(&upstream), sizeof upstream) != 0) {
        ::close(c);
        if (u >= 0) ::close(u);
        continue;
      }
      pairs.push_back({c, u});
    }
  }
}

void wait_for_socket(const std::filesystem::path& path, pid_t agent) {
  for (int i = 0; i < 500; ++i) {  // 5 s
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return;
    int status = 0;
    if (::waitpid(agent, &status, WNOHANG) == agent) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        throw Error("serving ssh key files needs OpenSSH's ssh-agent and ssh-add (apt-get install openssh-client)");
      throw Error("ssh-agent exited before it listened on " + path.string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(agent, SIGKILL);
  ::waitpid(agent, nullptr, 0);
  throw Error("ssh-agent did not listen on " + path.string() + " within 5 s");
}

// Runs argv (looked up in PATH) with envp; returns its exit status (127: not found).
int run_quiet(const std::vector<std::string>& argv, const std::vector<std::string>& env, bool wait) {
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw SystemError("fork " + argv[0], errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::execvpe(a[0], a.data(), e.data());
    ::_exit(127);
  }
  if (!wait) return pid;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw SystemError("wait for " + argv[0], errno);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

pid_t start_agent_forward(const std::filesystem::path& path, const std::string& upstream, unsigned mode, unsigned uid,
                          unsigned gid) {
  const auto up = unix_address(upstream);
  const auto here = unix_address(path.string());
  UniqueFd l(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!l) throw SystemError("socket", errno);
  if (::bind(l.get(), reinterpret_cast<const sockaddr*>(&here), sizeof here) != 0) throw SystemError("bind " + path.string(), errno);
  if (::chmod(path.c_str(), mode) != 0 || ::chown(path.c_str(), uid, gid) != 0) throw SystemError("chmod/chown " + path.string(), errno);
  if (::listen(l.get(), 8) != 0) throw SystemError("listen " + path.string(), errno);
  pid_t pid = ::fork();
  if (pid < 0) throw SystemError("fork the ssh agent forwarder", errno);
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::signal(SIGPIPE, SIG_IGN);
    relay_forever(l.get(), up);
  }
  return pid;
}

pid_t start_key_agent(const std::filesystem::path& path, const std::vector<std::string>& keys) {
  const std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "SSH_AUTH_SOCK=" + path.string(),
                                        "SSH_ASKPASS_REQUIRE=never"};
  pid_t agent = run_quiet({"ssh-agent", "-D", "-a", path.string()}, env, false);
  wait_for_socket(path, agent);
  for (const auto& key : keys) {
    int rc = run_quiet({"ssh-add", "-q", key}, env, true);
    if (rc == 0) continue;
    ::kill(agent, SIGKILL);
    ::waitpid(agent, nullptr, 0);
    if (rc == 127) throw Error("ssh key " + key + ": serving key files needs OpenSSH's ssh-agent and ssh-add (apt-get install openssh-client)");
    throw Error("ssh key " + key + ": ssh-add could not load it (missing, not a private key, or protected by a passphrase: "
                "load it into your agent and use `default`)");
  }
  return agent;
}

}  // namespace mycompose::build
