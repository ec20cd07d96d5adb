#include "rootfs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <dirent.h>
#include <map>
#include <sstream>

#include "mount_fd.hpp"
#include "mount_options.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/runtime/mount_source.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;

void do_mount(const char* src, const std::string& target, const char* type, unsigned long flags, const char* data,
              const std::string& what) {
  if (::mount(src, target.c_str(), type, flags, data) != 0) throw SystemError(what, errno);
}

struct CgroupHierarchy {
  std::string name;        // folder under /sys/fs/cgroup: "memory", "systemd", "unified", "" (pure v2)
  std::string host_path;   // the container's own cgroup folder on the host
};

// From /proc/self/mountinfo and /proc/self/cgroup (host view, before the cgroup namespace).
std::vector<CgroupHierarchy> own_cgroups() {
  std::map<std::string, std::string> paths;  // controllers ("cpu", "name=systemd", "") → path
  std::istringstream cg(fs::read_file("/proc/self/cgroup"));
  for (std::string line; std::getline(cg, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    paths[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  std::vector<CgroupHierarchy> out;
  std::istringstream mi(fs::read_file("/proc/self/mountinfo"));
  for (std::string line; std::getline(mi, line);) {
    std::istringstream ls(line);
    std::string id, parent, dev, root, point, opts, f;
    ls >> id >> parent >> dev >> root >> point >> opts;
    while (ls >> f && f != "-") {
    }
    std::string fstype, source, super;
    ls >> fstype >> source >> super;
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    if (point.rfind("/sys/fs/cgroup", 0) != 0) continue;
    std::string key;
    if (fstype == "cgroup") {
      std::istringstream ss(super);
      for (std::string o; std::getline(ss, o, ',');)
        if (o != "rw" && o != "ro" && o.rfind("release_agent", 0) != 0 && o != "noprefix" && o != "clone_children" &&
            o != "xattr" && o != "cpuset_v2_mode")
          key += (key.empty() ? "" : ",") + o;
    }
    auto it = paths.find(key);
    if (it == paths.end()) continue;
    std::string rel = it->second;
    // Not confined in this hierarchy: showing the host's root cgroup (and its
    // release_agent) would be a leak, so the container gets no folder for it.
    if (rel == "/") continue;
    if (root != "/" && rel.rfind(root, 0) == 0) rel = rel.substr(root.size());
    std::string name = point == "/sys/fs/cgroup" ? "" : point.substr(std::string("/sys/fs/cgroup/").size());
    out.push_back({name, point + rel});
  }
  return out;
}

// A bind of a host folder, made detached and attached by fd (mount_fd.hpp).
void bind_fd(int source_fd, int dest_fd, const MountOptions& o, bool recursive, const std::string& what) {
  UniqueFd tree = clone_tree(source_fd, recursive, what);
  set_mount_flags(tree.get(), o, recursive, what);
  attach_tree(tree.get(), dest_fd, what);
}

UniqueFd open_host(const std::string& path, const std::string& what) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd) throw SystemError(what + ": open " + path, errno);
  return fd;
}

void mount_cgroup(int root_fd, const MountSpec& m, const MountOptions& o) {
  auto hierarchies = own_cgroups();
  MountOptions locked;
  locked.flags = (o.flags & MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  // Pure v2: the container's folder is the whole mount.
  for (const auto& h : hierarchies)
    if (h.name.empty()) {
      const std::string what = "bind-mount cgroup " + h.host_path + " on " + m.destination;
      UniqueFd dest = make_in_root(root_fd, m.destination, true);
      bind_fd(open_host(h.host_path, what).get(), dest.get(), locked, true, what);
      return;
    }
  // v1/hybrid: a tmpfs with one bind per hierarchy, each showing only the container's own
  // folder — so no release_agent (CVE-2022-0492) is reachable.
  UniqueFd dest = make_in_root(root_fd, m.destination, true);
  MountOptions tmpfs;
  tmpfs.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  tmpfs.data = "mode=755";
  std::string why;
  // The fd of the new mount's root stays valid once attached: the folders are made in it.
  UniqueFd top = new_filesystem("tmpfs", "tmpfs", tmpfs, why);
  if (!top) throw SystemError("mount tmpfs for cgroups on " + m.destination + ": " + why, errno);
  attach_tree(top.get(), dest.get(), "mount tmpfs for cgroups on " + m.destination);
  for (const auto& h : hierarchies) {
    if (mkdirat(top.get(), h.name.c_str(), 0755) != 0 && errno != EEXIST)
      throw SystemError("mkdir " + m.destination + "/" + h.name, errno);
    UniqueFd sub(::openat(top.get(), h.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) throw SystemError("open " + m.destination + "/" + h.name, errno);
    const std::string what = "bind-mount cgroup " + h.host_path + " on " + m.destination + "/" + h.name;
    bind_fd(open_host(h.host_path, what).get(), sub.get(), locked, false, what);
  }
  // Co-mounted controllers appear under each name (cpu → cpu,cpuacct) as on the host.
  if (auto* d = ::opendir("/sys/fs/cgroup")) {
    while (auto* e = ::readdir(d)) {
      if (e->d_type != DT_LNK) continue;
      char target[256];
      ssize_t n = ::readlinkat(dirfd(d), e->d_name, target, sizeof target - 1);
      if (n <= 0) continue;
      target[n] = 0;
      ::symlinkat(target, top.get(), e->d_name);
    }
    ::closedir(d);
  }
  if (o.flags & MS_RDONLY) {
    MountOptions ro;
    ro.flags = MS_RDONLY;
    set_mount_flags(top.get(), ro, false, "make the cgroup tmpfs on " + m.destination + " read-only");
  }
}

// A bind mount: the source opened once (inside its root when the spec names one), cloned,
// given its flags while detached — recursively for rbind, so a read-only bind has no writable
// submount, as in Docker 25 — and attached onto the destination resolved inside the rootfs.
void mount_bind(int root_fd, const MountSpec& m, const MountOptions& o) {
  const std::string what = "mount " + m.source + " on " + m.destination;
  UniqueFd source;
  try {
    source = open_mount_source(m.source, m.source_root);
  } catch (const Error& e) {
    throw Error("mount " + m.destination + ": " + e.what());
  }
  struct stat st;
  if (::fstat(source.get(), &st) != 0) throw SystemError(what + ": stat the source", errno);
  UniqueFd dest = make_in_root(root_fd, m.destination, S_ISDIR(st.st_mode));
  bind_fd(source.get(), dest.get(), o, o.recursive, what);
}

void mount_one(int root_fd, const MountSpec& m) {
  MountOptions o = parse_mount_options(m.options);
  if (m.type == "bind") o.bind = true;
  if (m.type == "cgroup" || m.type == "cgroup2") return mount_cgroup(root_fd, m, o);
  if (o.bind) return mount_bind(root_fd, m, o);
  const std::string what = "mount " + (m.source.empty() ? m.type : m.source) + " on " + m.destination;
  UniqueFd dest = make_in_root(root_fd, m.destination, true);
  // A mode/size on tmpfs is fine; devpts needs a private instance.
  if (m.type == "devpts" && o.data.find("newinstance") == std::string::npos)
    o.data += std::string(o.data.empty() ? "" : ",") + "newinstance";
  std::string why;
  UniqueFd mnt = new_filesystem(m.type, m.source.empty() ? m.type : m.source, o, why);
  if (!mnt) {
    const int err = errno;
    // sysfs cannot be mounted without owning the network namespace: bind the host's.
    if (m.type == "sysfs" && (err == EPERM || err == EBUSY))
      return bind_fd(open_host("/sys", what).get(), dest.get(), o, true, what);
    throw SystemError(what + ": " + why, err);
  }
  MountOptions propagation;
  propagation.propagation = o.propagation;
  set_mount_flags(mnt.get(), propagation, false, what);
  attach_tree(mnt.get(), dest.get(), what);
}

struct Device {
  std::string path;
  mode_t type;
  unsigned major, minor;
  mode_t mode;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::vector<Device> devices_of(const Spec& spec) {
  std::vector<Device> out = {
      {"/dev/null", S_IFCHR, 1, 3, 0666},    {"/dev/zero", S_IFCHR, 1, 5, 0666}, {"/dev/full", S_IFCHR, 1, 7, 0666},
      {"/dev/random", S_IFCHR, 1, 8, 0666},  {"/dev/urandom", S_IFCHR, 1, 9, 0666}, {"/dev/tty", S_IFCHR, 5, 0, 0666},
  };
  const json& lx = spec.raw.value("linux", json::object());
  for (const auto& d : lx.value("devices", json::array())) {
    std::string t = d["type"].get<std::string>();
    Device dev{d["path"].get<std::string>(), static_cast<mode_t>(t == "b" ? S_IFBLK : t == "p" ? S_IFIFO : S_IFCHR),
               d.value("major", 0u), d.value("minor", 0u), static_cast<mode_t>(d.value("fileMode", 0666))};
    dev.uid = d.value("uid", 0u);
    dev.gid = d.value("gid", 0u);
    std::erase_if(out, [&](const Device& o) { return o.path == dev.path; });
    out.push_back(dev);
  }
  return out;
}

void create_devices(const Spec& spec, int root_fd, bool in_userns) {
  for (const auto& d : devices_of(spec)) {
    auto slash = d.path.rfind('/');
    std::string dir = d.path.substr(0, slash), base = d.path.substr(slash + 1);
    UniqueFd parent = make_in_root(root_fd, dir.empty() ? "/" : dir, true);
    if (in_userns) {
      // mknod is not allowed in a user namespace: bind the host's node instead.
      UniqueFd f(::openat(parent.get(), base.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (!f) throw SystemError("create " + d.path, errno);
      UniqueFd target(::openat(parent.get(), base.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!target) throw SystemError("open " + d.path + " in the rootfs", errno);
      const std::string what = "bind-mount device " + d.path;
      bind_fd(open_host(d.path, what).get(), target.get(), MountOptions(), false, what);
      continue;
    }
    ::unlinkat(parent.get(), base.c_str(), 0);
    if (::mknodat(parent.get(), base.c_str(), d.type | (d.mode & 07777), makedev(d.major, d.minor)) != 0)
      throw SystemError("mknod " + d.path, errno);
    if ((d.uid || d.gid) && ::fchownat(parent.get(), base.c_str(), d.uid, d.gid, AT_SYMLINK_NOFOLLOW) != 0)
      throw SystemError("chown " + d.path, errno);
  }
  UniqueFd dev = make_in_root(root_fd, "/dev", true);
  int devfd = dev.get();
  const std::pair<const char*, const char*> links[] = {
      {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
  };
  for (const auto& [target, name] : links)
    if (::symlinkat(target, devfd, name) != 0 && errno != EEXIST) throw SystemError(std::string("symlink /dev/") + name, errno);
  if (::access("/proc/kcore", F_OK) == 0) ::symlinkat("/proc/kcore", devfd, "core");
  // No /dev/shm unless the spec mounts one (runc's /dev): `ipc: none` has none.
  if (::mkdirat(devfd, "pts", 0755) != 0 && errno != EEXIST) throw SystemError("mkdir /dev/pts", errno);
}

void pivot_into(const std::string& rootfs) {
  UniqueFd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  UniqueFd new_root(::open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!old_root || !new_root) throw SystemError("open rootfs " + rootfs, errno);
  check_syscall(::fchdir(new_root.get()), "chdir " + rootfs);
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching it from "."
  // then leaves only the new root (no temporary folder inside the rootfs needed).
  check_syscall(::syscall(SYS_pivot_root, ".", "."), "pivot_root " + rootfs);
  check_syscall(::fchdir(old_root.get()), "chdir to the old root");
  check_syscall(::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr), "make the old root a slave");
  check_syscall(::umount2(".", MNT_DETACH), "detach the old root");
  check_syscall(::chdir("/"), "chdir /");
}

void write_sysctls(const Spec& spec) {
  const json& lx = spec.raw.value("linux", json::object());
  const json sysctl = lx.value("sysctl", json::object());
  for (const auto& [key, value] : sysctl.items()) {
    std::string path = "/proc/sys/" + key;
    for (auto& c : path)
      if (c == '.') c = '/';
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw SystemError("sysctl " + key + ": open " + path, errno);
    std::string v = value.get<std::string>();
    if (::write(fd.get(), v.data(), v.size()) < 0) throw SystemError("sysctl " + key + "=" + v, errno);
  }
}

// As runc: a missing process.cwd is made (mkdir -p, 0755, owned by root as the rest of the
// image) inside the new root, before `/` may turn read-only. Resolved in the root: a symlink
// in the image cannot lead the mkdir out of it.
void make_cwd(const Spec& spec) {
  const std::string cwd = spec.raw.value("process", json::object()).value("cwd", "/");
  if (cwd.empty() || cwd == "/") return;
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw SystemError("open / of the container", errno);
  make_in_root(root.get(), cwd, true);
}

// After pivot_root, inside the container's own root: the paths are the kernel's (/proc/…).
void readonly_path(const std::string& p) {
  UniqueFd at(::open(p.c_str(), O_PATH | O_CLOEXEC));
  if (!at) {
    if (errno == ENOENT) return;
    throw SystemError("open read-only path " + p, errno);
  }
  MountOptions ro;
  ro.flags = MS_RDONLY;
  bind_fd(at.get(), at.get(), ro, true, "bind-mount read-only path " + p);
}

void mask_path(const std::string& p) {
  UniqueFd at(::open(p.c_str(), O_PATH | O_CLOEXEC));
  struct stat st;
  if (!at || ::fstat(at.get(), &st) != 0) {
    if (errno == ENOENT) return;
    throw SystemError("open masked path " + p, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    MountOptions ro;
    ro.flags = MS_RDONLY;
    std::string why;
    UniqueFd tmpfs = new_filesystem("tmpfs", "tmpfs", ro, why);
    if (!tmpfs) throw SystemError("mask " + p + " with a read-only tmpfs: " + why, errno);
    attach_tree(tmpfs.get(), at.get(), "mask " + p + " with a read-only tmpfs");
  } else {
    bind_fd(open_host("/dev/null", "mask " + p).get(), at.get(), MountOptions(), false, "mask " + p + " with /dev/null");
  }
}

}  // namespace

UniqueFd open_in_root(int root_fd, const std::string& path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<__u64>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* p = path.empty() ? "." : path.c_str();
  long fd;
  do fd = ::syscall(SYS_openat2, root_fd, p, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return UniqueFd(static_cast<int>(fd));
}

UniqueFd make_in_root(int root_fd, const std::string& path, bool directory, int depth);

UniqueFd make_in_root(int root_fd, const std::string& path, bool directory) { return make_in_root(root_fd, path, directory, 0); }

UniqueFd make_in_root(int root_fd, const std::string& path, bool directory, int depth) {
  if (depth > 40) throw Error("resolve " + path + " inside the rootfs: too many levels of symbolic links");
  UniqueFd fd = open_in_root(root_fd, path, O_PATH);
  if (fd) return fd;
  if (errno != ENOENT) throw SystemError("resolve " + path + " inside the rootfs", errno);
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  std::string dir = slash == 0 ? "/" : p.substr(0, slash), base = p.substr(slash + 1);
  UniqueFd parent = make_in_root(root_fd, dir, true);
  int rc = directory ? ::mkdirat(parent.get(), base.c_str(), 0755)
                     : [&] {
                         int f = ::openat(parent.get(), base.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                         if (f >= 0) ::close(f);
                         return f < 0 ? -1 : 0;
                       }();
  if (rc != 0 && errno != EEXIST) throw SystemError("create " + path + " inside the rootfs", errno);
  fd = open_in_root(root_fd, path, O_PATH);
  if (fd) return fd;
  // A dangling symlink: create its target, resolved inside the root as the kernel will.
  char target[4096];
  ssize_t n = ::readlinkat(parent.get(), base.c_str(), target, sizeof target - 1);
  if (n <= 0) throw SystemError("resolve " + path + " inside the rootfs", ENOENT);
  target[n] = 0;
  std::string next = target[0] == '/' ? std::string(target) : dir + "/" + target;
  return make_in_root(root_fd, next, directory, depth + 1);
}

void prepare_rootfs(const Spec& spec, bool unshare_cgroupns, const std::function<void()>& before_pivot) {
  const std::string rootfs = spec.rootfs.string();
  if (!spec.has(CLONE_NEWNS)) {
    // Our mount namespace is the host's: nothing is mounted (parse_spec refused what would
    // need it), the rootfs only becomes the root.
    if (unshare_cgroupns) check_syscall(::unshare(CLONE_NEWCGROUP), "unshare the cgroup namespace");
    if (before_pivot) before_pivot();
    check_syscall(::chdir(rootfs.c_str()), "chdir " + rootfs);
    check_syscall(::chroot("."), "chroot " + rootfs);
    check_syscall(::chdir("/"), "chdir /");
    make_cwd(spec);
    return;
  }
  // Nothing we mount may propagate back to the host. A slave rootfs (linux.rootfsPropagation)
  // keeps receiving the host's mounts: every mount a slave of the host's, none goes back.
  const bool slave = spec.rootfs_propagation & MS_SLAVE;
  check_syscall(::mount(nullptr, "/", nullptr, (slave ? MS_SLAVE : MS_PRIVATE) | MS_REC, nullptr),
                slave ? "make / rslave" : "make / rprivate");
  // pivot_root needs the new root to be a mount point.
  do_mount(rootfs.c_str(), rootfs, nullptr, MS_BIND | MS_REC, nullptr, "bind-mount rootfs " + rootfs);
  UniqueFd root_fd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) throw SystemError("open rootfs " + rootfs, errno);

  bool dev_is_bind = false;
  for (const auto& m : spec.mounts) {
    mount_one(root_fd.get(), m);
    if (m.destination == "/dev" && (m.type == "bind" || parse_mount_options(m.options).bind)) dev_is_bind = true;
  }
  if (!dev_is_bind) create_devices(spec, root_fd.get(), spec.has(CLONE_NEWUSER));
  if (unshare_cgroupns) check_syscall(::unshare(CLONE_NEWCGROUP), "unshare the cgroup namespace");
  root_fd.reset();
  if (before_pivot) before_pivot();
  pivot_into(rootfs);
  make_cwd(spec);
}

void finalize_rootfs(const Spec& spec) {
  if (!spec.has(CLONE_NEWNS)) return;  // no sysctl, paths or read-only root without one (parse_spec)
  const json& lx = spec.raw.value("linux", json::object());
  write_sysctls(spec);
  for (const auto& p : lx.value("readonlyPaths", json::array())) readonly_path(p.get<std::string>());
  if (!lx.value("maskedPaths", json::array()).empty()) {
    // Only the real null device may cover a masked file.
    struct stat st;
    if (::stat("/dev/null", &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
      throw Error("refusing to mask paths: /dev/null in the container is not the null device (char 1:3)");
    for (const auto& p : lx["maskedPaths"]) mask_path(p.get<std::string>());
  }
  // On the container's own root, once it is "/" (as runc) and every bind of masked and
  // read-only paths is made (an unbindable tree refuses binds): "shared" makes a peer group of
  // the container's mounts only, since the host's were made private to it before.
  if (spec.rootfs_propagation)
    check_syscall(::mount(nullptr, "/", nullptr, spec.rootfs_propagation, nullptr), "set linux.rootfsPropagation on /");
  if (spec.raw["root"].value("readonly", false)) {
    mount_attr ro{};
    ro.attr_set = MOUNT_ATTR_RDONLY;
    check_syscall(::mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof ro), "make / read-only");
  }
}

}  // namespace mycompose::runtime
