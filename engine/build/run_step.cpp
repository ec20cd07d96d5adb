#include "run_step.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "in_root.hpp"
#include "run_secrets.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/runtime/overlay.hpp"
#include "mycompose/runtime/spec_generator.hpp"

namespace mycompose::build {
namespace stdfs = std::filesystem;

namespace {

std::string hosts_file(const RunStep& s) {
  std::string h = "127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (const auto& [name, ip] : s.extra_hosts) h += ip + "\t" + name + "\n";
  return h;
}

// Every folder on the way to each mount target that is missing now: the runtime creates
// them as mount points, and they must not end up in the layer.
std::vector<std::string> missing_paths(int root_fd, const nlohmann::json& mounts) {
  std::set<std::string> missing;
  for (const auto& m : mounts) {
    std::string dest = m.value("destination", "");
    std::string prefix;
    std::size_t start = 1;
    while (start <= dest.size()) {
      auto slash = dest.find('/', start);
      prefix = dest.substr(0, slash);
      if (!prefix.empty() && prefix != "/" && !lstat_in_root(root_fd, prefix)) missing.insert(prefix);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  // Deepest first, so folders are empty by the time they are looked at.
  return {missing.rbegin(), missing.rend()};
}

// The folder `rel` strictly inside dir_fd: no symlink on the way (the step may have made
// one, e.g. /stub-parent -> /etc, to point us at the host), no other mount.
UniqueFd open_beneath(int dir_fd, const std::string& rel) {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  long fd;
  do fd = ::syscall(SYS_openat2, dir_fd, rel.empty() ? "." : rel.c_str(), &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return UniqueFd(static_cast<int>(fd));
}

// Removes the mount points the runtime made in the layer (the step's processes are gone by
// now), each relative to an fd of its folder: a path the step turned into a symlink is left.
void remove_mount_stubs(const stdfs::path& upper, const std::vector<std::string>& created) {
  UniqueFd upper_fd(::open(upper.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!upper_fd) throw SystemError("open " + upper.string(), errno);
  for (const auto& p : created) {
    auto [parent, name] = split_parent(p);
    while (!parent.empty() && parent[0] == '/') parent.erase(0, 1);
    UniqueFd dir = open_beneath(upper_fd.get(), parent);
    if (!dir || name.empty() || name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) ::unlinkat(dir.get(), name.c_str(), AT_REMOVEDIR);  // fails (and stays) when the command put files there
    else if (S_ISREG(st.st_mode) && st.st_size == 0) ::unlinkat(dir.get(), name.c_str(), 0);
  }
}

// The runtime runs as `mycompose runtime run` (as docker runs runc): the container init is
// copied from beside that binary, and the builder may live in any program (CLI, engine, tests).
// $MYCOMPOSE_BIN wins; else our own binary when it is mycompose; else one beside us or a
// folder up; else mycompose from PATH.
std::string runtime_binary() {
  if (const char* b = std::getenv("MYCOMPOSE_BIN"); b && *b) return b;
  std::error_code ec;
  auto self = stdfs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (self.filename() == "mycompose") return self.string();
    for (const auto& p : {self.parent_path() / "mycompose", self.parent_path().parent_path() / "mycompose"})
      if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "mycompose";
}

// argv for exec: the strings' own storage, null-terminated.
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> a;
  for (const auto& arg : argv) a.push_back(const_cast<char*>(arg.c_str()));
  a.push_back(nullptr);
  return a;
}

// The builder's death (SIGKILL, a second Ctrl-C, OOM): the step's child is told by this
// signal instead of dying with it, and stops the container itself, so the runtime deletes it
// and the child releases the step's network and mounts, then the step's folders (the builder
// cannot any more). What the builder itself held is left for the next build or
// `system check --fix`.
constexpr int kBuilderGoneSignal = SIGUSR2;
volatile sig_atomic_t g_builder_gone = 0;
void on_builder_gone(int) { g_builder_gone = 1; }

bool builder_gone(const RunStep& s) { return g_builder_gone && ::getppid() != s.builder_pid; }

// Last out of run_step_in_child: the step's folders, when their builder is gone.
struct OrphanCleanup {
  const RunStep& s;
  ~OrphanCleanup() {
    if (!builder_gone(s)) return;
    try {
      runtime::unmount_overlay(s.merged.string());
    } catch (const std::exception&) {
      return;  // still mounted: never removed through a mount
    }
    std::error_code ec;
    stdfs::remove_all(s.scratch, ec);
  }
};

void watch_builder(const RunStep& s) {
  struct sigaction sa {};
  sa.sa_handler = on_builder_gone;  // no SA_RESTART: waitpid returns
  sigemptyset(&sa.sa_mask);
  ::sigaction(kBuilderGoneSignal, &sa, nullptr);
  ::prctl(PR_SET_PDEATHSIG, kBuilderGoneSignal);
  if (::getppid() != s.builder_pid) g_builder_gone = 1;  // gone before the prctl
}

int run_runtime(const std::vector<std::string>& argv, const RunStep& s) {
  if (builder_gone(s)) throw Error("the builder is gone");
  pid_t pid = ::fork();
  if (pid < 0) throw SystemError("fork the runtime", errno);
  if (pid == 0) {
    // SIGTERM, not SIGKILL: the runtime forwards it to the container and then deletes it.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    // The step's child ignores them (the builder decides); the runtime forwards them.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(kBuilderGoneSignal, SIG_DFL);
    auto a = c_argv(argv);
    ::execvp(a[0], a.data());
    std::fprintf(stderr, "exec %s: %s\n", a[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  for (;;) {
    if (builder_gone(s)) {
      // Again until the runtime returns: the container may not exist yet.
      stop_step_container(s);
      pid_t got = ::waitpid(pid, &status, WNOHANG);
      if (got == pid) break;
      if (got < 0 && errno != EINTR) throw SystemError("wait for the runtime", errno);
      ::usleep(200 * 1000);
      continue;
    }
    if (::waitpid(pid, &status, 0) == pid) break;
    if (errno != EINTR) throw SystemError("wait for the runtime", errno);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

void stop_step_container(const RunStep& s) {
  const std::vector<std::string> argv{runtime_binary(), "runtime", "--root", s.runtime_root.string(), "kill", s.container_id, "KILL"};
  auto a = c_argv(argv);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd : {0, 1, 2}) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  pid_t pid = -1;
  // "no such container" before the runtime made it or after it went: the caller tries again.
  if (::posix_spawnp(&pid, a[0], &fa, nullptr, a.data(), environ) == 0)
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  posix_spawn_file_actions_destroy(&fa);
}

void run_step_in_child(const RunStep& s) {
  watch_builder(s);
  OrphanCleanup orphan_cleanup{s};
  runtime::mount_overlay(s.merged.string(), {s.lower, s.upper.string(), s.work.string(), s.links_dir});
  UniqueFd root(::open(s.merged.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw SystemError("open " + s.merged.string(), errno);
  if (!s.working_dir.empty() && s.working_dir != "/") make_dirs_in_root(root.get(), s.working_dir);

  StepNetwork network(s.network, s.state_root, s.container_id, s.builder_pid);
  fs::write_file_atomic(s.scratch / "hosts", hosts_file(s));
  fs::write_file_atomic(s.scratch / "resolv.conf", network.resolv_conf());
  runtime::ImageConfig image;
  image.env = s.env;
  runtime::ContainerSettings cs;
  cs.rootfs = s.merged.string();
  cs.rootfs_on_host = s.merged.string();
  cs.hostname = "buildkitsandbox";
  cs.entrypoint = s.argv;
  cs.command = std::vector<std::string>{};
  cs.user = s.user;
  cs.working_dir = s.working_dir.empty() ? "/" : s.working_dir;
  cs.network = network.namespace_mode();
  cs.shm_size = s.shm_size;
  cs.privileged = s.insecure;
  cs.ulimits = s.ulimits;
  cs.mounts.push_back({"/etc/hosts", (s.scratch / "hosts").string(), "bind", {"rbind", "ro"}});
  cs.mounts.push_back({"/etc/resolv.conf", (s.scratch / "resolv.conf").string(), "bind", {"rbind", "ro"}});
  auto mounts = s.mounts;
  StepPrivateFiles private_files(s.scratch / "private", mounts);
  for (const auto& m : mounts) {
    if (m.tmpfs) {
      std::vector<std::string> options{"nosuid", "nodev", "mode=1777"};
      if (m.tmpfs_size) options.push_back("size=" + std::to_string(*m.tmpfs_size));
      cs.mounts.push_back({m.target, "tmpfs", "tmpfs", options});
    }
    else cs.mounts.push_back({m.target, m.source, "bind", {"rbind", m.readonly ? "ro" : "rw"}});
  }
  auto spec = runtime::generate_spec(image, cs);
  spec["linux"].erase("cgroupsPath");  // the runtime's own per-root cgroup path
  spec["process"]["terminal"] = false;
  auto created = missing_paths(root.get(), spec["mounts"]);
  auto bundle = s.scratch / "bundle";
  fs::make_dirs(bundle, 0700);
  fs::write_file_atomic(bundle / "config.json", spec.dump());
  root.reset();

  int status = run_runtime({runtime_binary(), "runtime", "--root", s.runtime_root.string(), "run", "--bundle", bundle.string(),
                            s.container_id},
                           s);
  runtime::unmount_overlay(s.merged.string());
  remove_mount_stubs(s.upper, created);
  if (status != 0)
    throw Error("process \"" + shell_join(s.argv) + "\" did not complete successfully: exit code: " + std::to_string(status));
}

}  // namespace mycompose::build
