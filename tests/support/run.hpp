#pragma once
// Run a program and capture its stdout, stderr and exit status (header-only, for tests).
//
//   auto r = mycompose::test::run_mycompose({"version", "--short"});
//   CHECK(r.exit_code == 0);
//   CHECK(r.out == "0.1.0\n");
//
// posix_spawn + pipes drained with poll(), so a child that writes a lot to both streams
// cannot dead-lock against us. The child gets our environment plus `env` (and minus
// `unset_env`), runs in `cwd` if given, and reads `input` on stdin (else /dev/null).
// A child still running after `timeout_seconds` is killed (SIGKILL) and `timed_out` set:
// a safety net against hangs, not a timing assertion.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace mycompose::test {

struct RunResult {
  int exit_code = -1;  // WEXITSTATUS, or 128 + signal number when killed by a signal
  std::string out;
  std::string err;
  bool timed_out = false;
};

struct RunOptions {
  std::map<std::string, std::string> env;  // added to / overriding our environment
  std::vector<std::string> unset_env;      // removed from the child's environment
  std::string cwd;                         // working directory of the child ("" = ours)
  std::string input;                       // written to the child's stdin
  int timeout_seconds = 120;
};

namespace detail {

inline void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string("run: ") + what + ": " + std::strerror(rc));
}

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw std::runtime_error(std::string("run: pipe2: ") + std::strerror(errno));
  }
  ~Pipe() { close_both(); }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  void close_both() {
    close_end(0);
    close_end(1);
  }
};

struct FileActions {
  posix_spawn_file_actions_t a;
  FileActions() { check(posix_spawn_file_actions_init(&a), "posix_spawn_file_actions_init"); }
  ~FileActions() { posix_spawn_file_actions_destroy(&a); }
};

inline std::vector<std::string> child_environment(const RunOptions& o) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    std::string key = kv.substr(0, kv.find('='));
    bool drop = o.env.count(key) > 0;
    for (const auto& u : o.unset_env) drop = drop || u == key;
    if (!drop) env.push_back(kv);
  }
  for (const auto& [k, v] : o.env) env.push_back(k + "=" + v);
  return env;
}

// write() that reports EPIPE instead of raising SIGPIPE in the test process: SIGPIPE is
// blocked around the call (this thread only; the child was spawned before) and a pending
// one is consumed.
inline ssize_t write_no_sigpipe(int fd, const char* data, std::size_t size) {
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  ssize_t w = ::write(fd, data, size);
  int saved = errno;
  if (w < 0 && errno == EPIPE) {
    timespec zero{};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  errno = saved;
  return w;
}

inline double now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace detail

inline RunResult run(const std::vector<std::string>& argv, const RunOptions& o = {}) {
  if (argv.empty()) throw std::invalid_argument("run: empty argv");
  detail::Pipe in, out, err;
  detail::FileActions fa;
  detail::check(posix_spawn_file_actions_adddup2(&fa.a, in.fd[0], 0), "adddup2 stdin");
  detail::check(posix_spawn_file_actions_adddup2(&fa.a, out.fd[1], 1), "adddup2 stdout");
  detail::check(posix_spawn_file_actions_adddup2(&fa.a, err.fd[1], 2), "adddup2 stderr");
  if (!o.cwd.empty()) detail::check(posix_spawn_file_actions_addchdir_np(&fa.a, o.cwd.c_str()), "addchdir");

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings = detail::child_environment(o);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  detail::check(posix_spawnp(&pid, argv[0].c_str(), &fa.a, nullptr, args.data(), envp.data()),
                ("posix_spawn " + argv[0]).c_str());
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);

  RunResult r;
  std::size_t written = 0;
  if (o.input.empty()) in.close_end(1);
  else ::fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  const double deadline = detail::now_seconds() + o.timeout_seconds;
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    if (out.fd[0] >= 0) fds[n++] = {out.fd[0], POLLIN, 0};
    if (err.fd[0] >= 0) fds[n++] = {err.fd[0], POLLIN, 0};
    if (in.fd[1] >= 0) fds[n++] = {in.fd[1], POLLOUT, 0};
    int left_ms = static_cast<int>((deadline - detail::now_seconds()) * 1000);
    if (left_ms <= 0) {
      ::kill(pid, SIGKILL);
      r.timed_out = true;
      break;
    }
    int rc = ::poll(fds, n, left_ms);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) break;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.fd[1]) {
        ssize_t w = detail::write_no_sigpipe(in.fd[1], o.input.data() + written, o.input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) written = o.input.size();  // EPIPE: the child stopped reading
        if (written == o.input.size()) in.close_end(1);
        continue;
      }
      char buf[65536];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      bool is_out = fds[i].fd == out.fd[0];
      if (got > 0) (is_out ? r.out : r.err).append(buf, static_cast<std::size_t>(got));
      else if (got == 0 || errno != EINTR) (is_out ? out : err).close_end(0);
    }
  }
  in.close_both();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// The mycompose binary under test (env MYCOMPOSE_BIN, set by tests/CMakeLists.txt).
inline std::string mycompose_bin() {
  const char* bin = std::getenv("MYCOMPOSE_BIN");
  if (!bin || !*bin) throw std::runtime_error("MYCOMPOSE_BIN is not set (run the tests through ctest)");
  return bin;
}

inline RunResult run_mycompose(const std::vector<std::string>& args, const RunOptions& o = {}) {
  std::vector<std::string> argv{mycompose_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, o);
}

}  // namespace mycompose::test
