#pragma once
// Host-side views of a running container for the security tests: its init, every process of
// its pid namespace, and every object those processes hold (fds, cwd, root, file mappings)
// that lies outside the container's own mounts.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mycompose/common/fs.hpp"

namespace container_processes {

namespace stdfs = std::filesystem;

// The init's pid (host pid namespace), from the runtime's state.
inline pid_t init_pid(const stdfs::path& mycompose_root, const std::string& container_id) {
  auto state = nlohmann::json::parse(mycompose::fs::read_file(mycompose_root / "runtime" / container_id / "state.json"));
  return state.at("pid").get<pid_t>();
}

inline std::string link_of(const std::string& p) {
  std::error_code ec;
  auto t = stdfs::read_symlink(p, ec);
  return ec ? "" : t.string();
}

inline ino_t ns_inode(pid_t pid, const char* ns) {
  struct stat st {};
  std::string p = "/proc/" + std::to_string(pid) + "/ns/" + ns;
  return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Every process whose pid namespace is the init's (the app, its children, exec'd processes).
inline std::vector<pid_t> processes(pid_t init) {
  std::vector<pid_t> out;
  const ino_t ns = ns_inode(init, "pid");
  for (const auto& e : stdfs::directory_iterator("/proc")) {
    const std::string n = e.path().filename().string();
    if (n.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t p = std::stoi(n);
    if (ns && ns_inode(p, "pid") == ns) out.push_back(p);
  }
  return out;
}

// Mount ids of the container's mount namespace (first column of its mountinfo).
inline std::set<unsigned long long> mount_ids(pid_t init) {
  std::set<unsigned long long> ids;
  std::ifstream in("/proc/" + std::to_string(init) + "/mountinfo");
  for (std::string line; std::getline(in, line);) ids.insert(std::stoull(line));
  return ids;
}

struct Object {
  bool ok = false;  // statx answered
  unsigned long long mnt_id = 0;
  mode_t mode = 0;
  dev_t rdev = 0;
};

// What a /proc magic link points at (followed), with the mount it lies on.
inline Object stat_link(const std::string& path) {
  Object o;
  struct statx sx {};
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_TYPE | STATX_MNT_ID, &sx) != 0) return o;
  o.ok = true;
  o.mnt_id = sx.stx_mnt_id;
  o.mode = sx.stx_mode;
  o.rdev = makedev(sx.stx_rdev_major, sx.stx_rdev_minor);
  return o;
}

// Objects of the kernel's internal mounts, which name no folder of anyone.
inline bool anonymous(const std::string& target) {
  for (const char* p : {"pipe:", "socket:", "anon_inode:", "/memfd:"})
    if (target.rfind(p, 0) == 0) return true;
  return false;
}

inline int open_flags(pid_t pid, const std::string& fd) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/fdinfo/" + fd);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("flags:", 0) == 0) return static_cast<int>(std::stoul(line.substr(6), nullptr, 8));
  return -1;
}

// Every fd, cwd, root and file mapping of every process of the container that is neither an
// anonymous object nor on a mount of the container's own mount namespace, except what cannot
// lead anywhere: a FIFO, a regular file open write-only (the exit record) and /dev/null.
// Each violation reads "<pid> <what> -> <target>".
inline std::vector<std::string> host_objects(pid_t init) {
  std::vector<std::string> bad;
  const auto mine = mount_ids(init);
  for (pid_t p : processes(init)) {
    const std::string proc = "/proc/" + std::to_string(p);
    auto check = [&](const std::string& what, const std::string& path, int flags) {
      const std::string target = link_of(path);
      if (target.empty() || anonymous(target)) return;  // gone meanwhile, or pipe/socket/memfd
      Object o = stat_link(path);
      if (!o.ok || mine.count(o.mnt_id)) return;
      const bool harmless = S_ISFIFO(o.mode) || (S_ISCHR(o.mode) && o.rdev == makedev(1, 3)) ||
                            (S_ISREG(o.mode) && flags >= 0 && (flags & O_ACCMODE) == O_WRONLY && !(flags & O_PATH));
      if (!harmless) bad.push_back(std::to_string(p) + " " + what + " -> " + target);
    };
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(proc + "/fd", ec)) {
      const std::string fd = e.path().filename().string();
      check("fd/" + fd, e.path().string(), open_flags(p, fd));
    }
    check("cwd", proc + "/cwd", -1);
    check("root", proc + "/root", -1);
    for (const auto& e : stdfs::directory_iterator(proc + "/map_files", ec))
      check("map_files/" + e.path().filename().string(), e.path().string(), -1);
  }
  return bad;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// "CapEff" etc. of /proc/<pid>/status as a number (hex), or the "Seccomp"/"NoNewPrivs" value.
inline unsigned long long status_field(pid_t pid, const std::string& key, int base = 16) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1), nullptr, base);
  return ~0ULL;
}

// The init's children (the app).
inline std::vector<pid_t> children(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  for (pid_t c; in >> c;) out.push_back(c);
  return out;
}

}  // namespace container_processes
