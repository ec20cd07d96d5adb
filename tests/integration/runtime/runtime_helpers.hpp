#pragma once
// Helpers for the runtime's integration tests: busybox bundles, running `mycompose runtime`,
// and a per-test state root that removes every container (and its cgroup) it saw.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"

namespace rttest {

namespace stdfs = std::filesystem;
using nlohmann::json;

struct Result {
  int status = -1;
  std::string out, err;
};

inline std::string mycompose_bin() {
  const char* b = std::getenv("MYCOMPOSE_BIN");
  return b ? b : "mycompose";
}

// Runs argv with stdout/stderr captured through files (no pipes to deadlock on).
inline Result run_argv(const std::vector<std::string>& argv, const stdfs::path& scratch) {
  stdfs::path out = scratch / ".out", err = scratch / ".err";
  // New files every time: a detached container keeps writing to the ones it inherited.
  stdfs::remove(out);
  stdfs::remove(err);
  pid_t pid = ::fork();
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int n = ::open("/dev/null", O_RDONLY);
    ::dup2(n, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    _exit(255);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  Result r;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.out = mycompose::fs::read_file(out);
  r.err = mycompose::fs::read_file(err);
  return r;
}

// Waits (without polling) until a process exits, whoever its parent is.
inline void wait_gone(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return;
  pollfd p{fd, POLLIN, 0};
  ::poll(&p, 1, 10000);
  ::close(fd);
}

// A zombie waiting for its (host) reaper counts as gone.
inline bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  std::string stat;
  try {
    stat = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (...) {
    return false;
  }
  auto p = stat.rfind(')');
  return p != std::string::npos && stat.size() > p + 2 && stat[p + 2] != 'Z';
}

// A bundle: rootfs with a static busybox and its applets, and a runc-like config.json.
struct Bundle {
  stdfs::path dir;
  json config;

  stdfs::path rootfs() const { return dir / "rootfs"; }
  void write() const { mycompose::fs::write_file_atomic(dir / "config.json", config.dump(2)); }
};

inline json default_config(const std::vector<std::string>& args) {
  return json{
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", args},
        {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
        {"cwd", "/"},
        {"capabilities",
         {{"bounding", {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}},
          {"effective", {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}},
          {"permitted", {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}}}},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
        {"noNewPrivileges", true}}},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "mycompose-test"},
      {"mounts",
       {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
        {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
        {{"destination", "/dev/pts"}, {"type", "devpts"}, {"source", "devpts"},
         {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
        {{"destination", "/dev/shm"}, {"type", "tmpfs"}, {"source", "shm"}, {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
        {{"destination", "/dev/mqueue"}, {"type", "mqueue"}, {"source", "mqueue"}, {"options", {"nosuid", "noexec", "nodev"}}},
        {{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"}, {"options", {"nosuid", "noexec", "nodev", "ro"}}},
        {{"destination", "/sys/fs/cgroup"}, {"type", "cgroup"}, {"source", "cgroup"}, {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}},
        {{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "nodev", "mode=1777"}}}}},
      {"linux",
       {{"namespaces", {{{"type", "pid"}}, {{"type", "network"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}}},
        {"maskedPaths", {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                         "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"}},
        {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}}};
}

inline Bundle make_bundle(const stdfs::path& dir, const std::vector<std::string>& args) {
  Bundle b{dir, default_config(args)};
  stdfs::create_directories(b.rootfs() / "bin");
  for (const char* d : {"proc", "sys", "dev", "etc", "tmp", "root"}) stdfs::create_directories(b.rootfs() / d);
  stdfs::copy_file("/bin/busybox", b.rootfs() / "bin" / "busybox");
  for (const char* applet : {"sh", "ls", "cat", "echo", "sleep", "hostname", "true", "false", "grep", "readlink", "kill",
                             "ps", "stat", "test", "id", "touch", "tty", "pwd", "dd", "seq", "wc", "head", "tr", "env",
                             "mkdir", "sort", "mount", "pidof", "cut"})
    stdfs::create_symlink("busybox", b.rootfs() / "bin" / applet);
  mycompose::fs::write_file_atomic(b.rootfs() / "etc" / "passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
  mycompose::fs::write_file_atomic(b.rootfs() / "etc" / "group", "root:x:0:\nalice:x:1000:\nstaff:x:50:alice\n");
  b.write();
  return b;
}

// A temp folder holding the state root and bundles; removes every container on exit.
struct Sandbox {
  stdfs::path dir;
  stdfs::path root;

  Sandbox() {
    char tmpl[] = "/tmp/mycompose-rt-XXXXXX";
    dir = ::mkdtemp(tmpl);
    root = dir / "state";
  }
  ~Sandbox() {
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(root, ec)) rt({"delete", "--force", e.path().filename().string()});
    stdfs::remove_all(dir, ec);
  }
  Sandbox(const Sandbox&) = delete;

  Result rt(std::vector<std::string> args) const {
    std::vector<std::string> argv = {mycompose_bin(), "runtime", "--root", root.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_argv(argv, dir);
  }
  Bundle bundle(const std::string& name, const std::vector<std::string>& args) const {
    return make_bundle(dir / name, args);
  }
  json state(const std::string& id) const {
    Result r = rt({"state", id});
    return r.status == 0 ? json::parse(r.out) : json();
  }
  // The cgroup folders a container of this root would use (cgroup v1/hybrid and v2).
  std::vector<stdfs::path> cgroup_dirs(const std::string& id) const {
    std::string rel = "mycompose-" + mycompose::sha256_hex(root.string()).substr(0, 8) + "/" + id;
    std::vector<stdfs::path> out;
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator("/sys/fs/cgroup", ec))
      if (e.is_directory() && !e.is_symlink()) out.push_back(e.path() / rel);
    out.push_back(stdfs::path("/sys/fs/cgroup") / rel);
    return out;
  }
  // What a container left behind: its state folder, cgroups, or a mount of its rootfs.
  std::vector<std::string> leftovers(const std::string& id, const stdfs::path& rootfs) const {
    std::vector<std::string> left;
    if (stdfs::exists(root / id)) left.push_back("state folder " + (root / id).string());
    for (const auto& c : cgroup_dirs(id))
      if (stdfs::exists(c)) left.push_back("cgroup " + c.string());
    std::string mi = mycompose::fs::read_file("/proc/self/mountinfo");
    if (mi.find(rootfs.string()) != std::string::npos) left.push_back("mount of " + rootfs.string());
    return left;
  }
};

}  // namespace rttest
