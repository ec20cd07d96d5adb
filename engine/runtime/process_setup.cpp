#include "process_setup.hpp"

#include "hooks.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>

#include "mycompose/common/fs.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/capabilities.hpp"
#include "mycompose/runtime/seccomp.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string env_value(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') return e.substr(key.size() + 1);
  return {};
}

bool has_env(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& e : env)
    if (e.compare(0, key.size() + 1, key + "=") == 0) return true;
  return false;
}

bool is_executable_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111);
}

// The container's /etc/passwd or /etc/group: image (or container) content, so a FIFO or a
// device there is refused naming it, never opened (untrusted_file.hpp); a missing one counts as
// empty. Opened relative to our root: an exec'd process has joined the container's mounts.
std::string read_container_file(const char* path) {
  return fs::read_untrusted_if_exists(AT_FDCWD, path, std::string(path) + " in the container", 8u << 20, {.in_root = false})
      .value_or("");
}

// name:x:id:… lines of /etc/passwd or /etc/group.
std::vector<std::vector<std::string>> read_colon_file(const char* path) {
  std::vector<std::vector<std::string>> rows;
  std::string text = read_container_file(path);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::istringstream ls(line);
    for (std::string x; std::getline(ls, x, ':');) f.push_back(x);
    if (f.size() >= 3) rows.push_back(std::move(f));
  }
  return rows;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

[[noreturn]] void die(const std::string& msg, int code) {
  std::string line = "error: " + msg + "\n";
  (void)!::write(2, line.data(), line.size());
  _exit(code);
}

}  // namespace

ExecLookup find_executable(const std::string& name, const std::vector<std::string>& env) {
  ExecLookup r;
  if (name.find('/') != std::string::npos) {
    struct stat st;
    if (::stat(name.c_str(), &st) != 0) {
      r.message = "exec: \"" + name + "\": stat " + name + ": " + std::strerror(errno);
      r.exit_code = 127;
    } else if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111)) {
      r.message = "exec: \"" + name + "\": permission denied";
      r.exit_code = 126;
    } else {
      r.path = name;
    }
    return r;
  }
  std::string path = has_env(env, "PATH") ? env_value(env, "PATH") : kDefaultPath;
  std::istringstream ps(path);
  for (std::string dir; std::getline(ps, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable_file(candidate)) {
      r.path = candidate;
      return r;
    }
  }
  r.message = "exec: \"" + name + "\": executable file not found in $PATH";
  r.exit_code = 127;
  return r;
}

json resolve_user(const std::string& spec) {
  std::string u = spec, g;
  if (auto c = spec.find(':'); c != std::string::npos) u = spec.substr(0, c), g = spec.substr(c + 1);
  auto passwd = read_colon_file("/etc/passwd");
  auto groups = read_colon_file("/etc/group");
  json user = json::object();
  long long uid = -1, gid = -1;
  std::string uname;
  for (const auto& p : passwd)
    if (p.size() >= 4 && (p[0] == u || (all_digits(u) && p[2] == u))) {
      uid = std::stoll(p[2]);
      gid = all_digits(p[3]) ? std::stoll(p[3]) : 0;
      uname = p[0];
      break;
    }
  if (uid < 0) {
    if (!all_digits(u)) throw Error("unable to find user " + u + ": no matching entries in passwd file");
    uid = std::stoll(u);
    gid = 0;
  }
  if (uid > 4294967294LL) throw Error("invalid user " + u + ": uid out of range");
  if (!g.empty()) {
    long long found = -1;
    for (const auto& gr : groups)
      if (gr[0] == g || (all_digits(g) && gr[2] == g)) {
        found = std::stoll(gr[2]);
        break;
      }
    if (found < 0) {
      if (!all_digits(g)) throw Error("unable to find group " + g + ": no matching entries in group file");
      found = std::stoll(g);
    }
    gid = found;
  }
  json extra = json::array();
  if (!uname.empty() && g.empty())
    for (const auto& gr : groups) {
      if (gr.size() < 4 || !all_digits(gr[2])) continue;
      std::istringstream ms(gr[3]);
      for (std::string m; std::getline(ms, m, ',');)
        if (m == uname && std::stoll(gr[2]) != gid) extra.push_back(std::stoll(gr[2]));
    }
  user["uid"] = uid;
  user["gid"] = gid;
  user["additionalGids"] = extra;
  return user;
}

void set_oom_score_adj(int value) {
  std::string v = std::to_string(value);
  UniqueFd f(::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
  if (!f || ::write(f.get(), v.data(), v.size()) < 0) throw SystemError("write /proc/self/oom_score_adj", errno);
}

PreparedExec prepare_process(const json& process, const CompiledSeccomp& seccomp) {
  PreparedExec p;
  p.args = process["args"].get<std::vector<std::string>>();
  p.env = process.value("env", std::vector<std::string>{});
  const json& user = process.value("user", json::object());
  uid_t uid = user.value("uid", 0u);
  gid_t gid = user.value("gid", 0u);
  if (!has_env(p.env, "HOME")) {
    std::string home = "/";
    for (const auto& row : read_colon_file("/etc/passwd"))
      if (row.size() >= 6 && all_digits(row[2]) && std::stoul(row[2]) == uid) home = row[5];
    p.env.push_back("HOME=" + home);
  }
  std::string cwd = process.value("cwd", "/");
  if (::chdir(cwd.c_str()) != 0) throw SystemError("chdir to cwd (\"" + cwd + "\") set in config.json", errno);
  // CVE-2024-21626: a cwd reached through a leaked host fd is outside our root; getcwd then
  // fails (glibc returns ENOENT for "(unreachable)/…").
  char buf[4096];
  if (!::getcwd(buf, sizeof buf) || buf[0] != '/') throw Error("current working directory is outside of the container root");
  ::umask(user.contains("umask") ? user["umask"].get<unsigned>() : 022);

  ExecLookup exe = find_executable(p.args[0], p.env);
  if (!exe.message.empty()) throw Error(exe.message, exe.exit_code);
  p.path = exe.path;

  if (process.contains("rlimits")) apply_rlimits(process["rlimits"]);
  if (process.contains("oomScoreAdj")) set_oom_score_adj(process["oomScoreAdj"].get<int>());
  // No fd of ours may reach the app; CLOEXEC (not close) keeps stderr usable until execve.
  check_syscall(::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), "close_range");
  bool nnp = process.value("noNewPrivileges", false);
  bool has_seccomp = !seccomp.empty();
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it before dropping caps.
  if (has_seccomp && !nnp) load_seccomp(seccomp);

  std::vector<gid_t> groups;
  for (const auto& g : user.value("additionalGids", json::array())) groups.push_back(g.get<gid_t>());
  if (::setgroups(groups.size(), groups.data()) != 0 && errno != EPERM) throw SystemError("process.user.additionalGids: setgroups", errno);
  check_syscall(::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)");
  if (::setresgid(gid, gid, gid) != 0) throw SystemError("process.user.gid: setresgid " + std::to_string(gid), errno);
  if (::setresuid(uid, uid, uid) != 0) throw SystemError("process.user.uid: setresuid " + std::to_string(uid), errno);
  apply_capabilities(process.value("capabilities", json::object()));
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (nnp) set_no_new_privs();
  if (has_seccomp && nnp) load_seccomp(seccomp);

  for (auto& a : p.args) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  for (auto& e : p.env) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
  return p;
}

void attach_terminal(int tty_slave) {
  if (tty_slave < 0) return;
  check_syscall(::setsid(), "setsid");
  check_syscall(::ioctl(tty_slave, TIOCSCTTY, 0), "set the controlling terminal");
  for (int i = 0; i < 3; ++i) check_syscall(::dup2(tty_slave, i), "dup2 terminal");
  if (tty_slave > 2) ::close(tty_slave);
}

[[noreturn]] void exec_prepared(PreparedExec& p) {
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  ::execve(p.path.c_str(), p.argv.data(), p.envp.data());
  int err = errno;
  if (err == EACCES || err == EPERM) die("exec: \"" + p.args[0] + "\": permission denied", 126);
  die("exec: \"" + p.args[0] + "\": " + std::strerror(err), err == ENOENT ? 127 : 126);
}

[[noreturn]] void exec_process(const json& process, const CompiledSeccomp& seccomp, int tty_slave, const AppStart& start) {
  try {
    attach_terminal(tty_slave);
    PreparedExec p;
    try {
      p = prepare_process(process, seccomp);
    } catch (const Error& e) {
      if (start.status_fd < 0) throw;
      // "<exit code> <message>": the init fails create with it.
      std::string report = std::to_string(e.exit_code()) + " " + e.what();
      (void)!::write(start.status_fd, report.data(), report.size());
      _exit(e.exit_code());
    }
    if (start.status_fd >= 0) {
      (void)!::write(start.status_fd, "ok", 2);
      ::close(start.status_fd);
    }
    if (start.go_fd >= 0) {
      char byte;
      ssize_t n;
      do n = ::read(start.go_fd, &byte, 1);
      while (n < 0 && errno == EINTR);
      if (n != 1) _exit(1);  // the init gave up before start: nothing ran
      ::close(start.go_fd);
    }
    if (start.spec) {
      try {
        run_hooks(*start.spec, "startContainer", start.state);
      } catch (const Error& e) {
        die(e.what(), 1);
      }
    }
    exec_prepared(p);
  } catch (const Error& e) {
    die(e.what(), e.exit_code());
  } catch (const std::exception& e) {
    die(e.what(), 1);
  }
}

}  // namespace mycompose::runtime
