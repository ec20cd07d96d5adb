#include "hooks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

extern char** environ;

namespace mycompose::runtime {
namespace {

using nlohmann::json;

constexpr std::size_t kOutputKept = 4096;  // the end of a failing hook's output, for its error

[[noreturn]] void bad(const std::string& field, const std::string& what) { throw Error("config.json: " + field + " " + what); }

void check_strings(const json& h, const char* key, const std::string& where) {
  auto it = h.find(key);
  if (it == h.end() || it->is_null()) return;
  if (!it->is_array()) bad(where + "." + key, "must be an array of strings");
  for (const auto& s : *it)
    if (!s.is_string()) bad(where + "." + key, "must be an array of strings");
}

long long monotonic_ms() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The state as a sealed-size memfd at offset 0: the hook reads it at its own pace, and a
// hook that never reads cannot block us as a full pipe would.
UniqueFd state_file(const std::string& state) {
  UniqueFd fd(static_cast<int>(::syscall(SYS_memfd_create, "oci-state", MFD_CLOEXEC)));
  if (!fd) throw SystemError("memfd_create for a hook's state", errno);
  if (::write(fd.get(), state.data(), state.size()) != static_cast<ssize_t>(state.size()) || ::lseek(fd.get(), 0, SEEK_SET) != 0)
    throw SystemError("write a hook's state", errno);
  return fd;
}

void run_one(const json& hook, const std::string& where, const std::string& state) {
  const std::string path = hook.at("path").get<std::string>();
  std::vector<std::string> args = hook.value("args", std::vector<std::string>{});
  if (args.empty()) args.push_back(path);
  const bool own_env = hook.contains("env") && hook["env"].is_array();
  std::vector<std::string> env = own_env ? hook["env"].get<std::vector<std::string>>() : std::vector<std::string>{};
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int timeout_s = hook.value("timeout", 0);

  UniqueFd in = state_file(state);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw SystemError(where + ": pipe", errno);
  UniqueFd out_r(p[0]), out_w(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw SystemError(where + ": fork", errno);
  if (pid == 0) {
    ::setpgid(0, 0);  // a timeout kills the hook and whatever it started
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::dup2(in.get(), 0) != 0 || ::dup2(out_w.get(), 1) != 1 || ::dup2(out_w.get(), 2) != 2) _exit(127);
    ::close_range(3, ~0U, 0);
    ::execve(path.c_str(), argv.data(), own_env ? envp.data() : environ);
    // No allocation here: the engine that forked us may have other threads holding malloc's lock.
    const char* why = ::strerrordesc_np(errno);
    (void)!::write(2, "exec: ", 6);
    if (why) (void)!::write(2, why, std::strlen(why));
    _exit(127);
  }
  out_w.reset();
  in.reset();
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  std::string output;
  bool timed_out = false;
  const long long deadline = timeout_s > 0 ? monotonic_ms() + timeout_s * 1000LL : -1;
  // Read the output until the hook closes it (or the deadline), then reap it.
  for (bool open = true; open;) {
    int wait_ms = -1;
    if (deadline >= 0) {
      long long left = deadline - monotonic_ms();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left);
    }
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
    int n = ::poll(fds, pidfd ? 2 : 1, wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      char buf[4096];
      ssize_t r = ::read(out_r.get(), buf, sizeof buf);
      if (r <= 0) {
        open = false;
      } else {
        output.append(buf, static_cast<std::size_t>(r));
        if (output.size() > kOutputKept) output.erase(0, output.size() - kOutputKept);
      }
    } else if (n > 0 && (fds[1].revents & POLLIN)) {
      // Exited, but something it started may hold the pipe open: stop reading.
      open = false;
    }
  }
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  std::string tail = output.empty() ? "" : " (output: " + output + ")";
  if (timed_out) throw Error(where + " " + path + ": timed out after " + std::to_string(timeout_s) + "s" + tail);
  if (WIFSIGNALED(status)) throw Error(where + " " + path + ": killed by signal " + std::to_string(WTERMSIG(status)) + tail);
  if (WEXITSTATUS(status) != 0) throw Error(where + " " + path + ": exit status " + std::to_string(WEXITSTATUS(status)) + tail);
}

}  // namespace

void check_hooks(const json& hooks) {
  if (hooks.is_null()) return;
  if (!hooks.is_object()) bad("hooks", "must be an object");
  for (const auto& [kind, list] : hooks.items()) {
    bool known = false;
    for (const char* k : kHookKinds) known = known || kind == k;
    if (!known) continue;  // unknown properties are ignored (config.md "Extensibility")
    if (list.is_null()) continue;
    if (!list.is_array()) bad("hooks." + kind, "must be an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json& h = list[i];
      const std::string where = "hooks." + kind + "[" + std::to_string(i) + "]";
      if (!h.is_object()) bad(where, "must be an object");
      auto p = h.find("path");
      if (p == h.end() || !p->is_string() || p->get<std::string>().empty() || p->get<std::string>()[0] != '/')
        bad(where + ".path", "must be an absolute path");
      check_strings(h, "args", where);
      check_strings(h, "env", where);
      if (auto t = h.find("timeout"); t != h.end() && !t->is_null() &&
                                      (!t->is_number_integer() || t->get<long long>() <= 0 || t->get<long long>() > 86400))
        bad(where + ".timeout", "must be a number of seconds greater than zero");
    }
  }
}

bool has_hooks(const json& spec, const char* kind) {
  auto h = spec.find("hooks");
  if (h == spec.end() || !h->is_object()) return false;
  auto l = h->find(kind);
  return l != h->end() && l->is_array() && !l->empty();
}

void run_hooks(const json& spec, const char* kind, const json& state) {
  if (!has_hooks(spec, kind)) return;
  const std::string text = state.dump();
  const json& list = spec["hooks"][kind];
  for (std::size_t i = 0; i < list.size(); ++i)
    run_one(list[i], std::string("hooks.") + kind + "[" + std::to_string(i) + "]", text);
}

void run_hooks_warn(const json& spec, const char* kind, const json& state) {
  if (!has_hooks(spec, kind)) return;
  const std::string text = state.dump();
  const json& list = spec["hooks"][kind];
  // A failing one does not stop the others (config.md: "the remaining hooks ... continue").
  for (std::size_t i = 0; i < list.size(); ++i) {
    try {
      run_one(list[i], std::string("hooks.") + kind + "[" + std::to_string(i) + "]", text);
    } catch (const std::exception& e) {
      std::string line = std::string("warning: ") + e.what() + "\n";
      (void)!::write(2, line.data(), line.size());
    }
  }
}

}  // namespace mycompose::runtime
