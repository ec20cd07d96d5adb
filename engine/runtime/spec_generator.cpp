// Image config + container settings → OCI config.json with Docker's defaults.
#include "mycompose/runtime/spec_generator.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "mycompose/common/error.hpp"
#include "mycompose/runtime/capabilities.hpp"
#include "mycompose/runtime/cgroup.hpp"
#include "mycompose/runtime/default_seccomp.hpp"
#include "mycompose/runtime/mount_source.hpp"

namespace mycompose::runtime {
namespace {

constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::int64_t kDefaultShmSize = 64 * 1024 * 1024;
constexpr std::int64_t kCpuPeriod = 100000;

const char* const kMaskedPaths[] = {"/proc/asound",      "/proc/acpi",        "/proc/kcore",
                                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                                    "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                                    "/sys/firmware",     "/sys/devices/virtual/powercap"};
const char* const kReadonlyPaths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string env_key(const std::string& kv) { return kv.substr(0, kv.find('=')); }

// Later entries replace earlier ones with the same key, keeping the first one's position;
// a bare KEY (no '=') removes it, as Docker does for an unset pass-through variable.
void set_env(std::vector<std::string>& env, const std::string& kv) {
  const auto key = env_key(kv);
  if (kv.find('=') == std::string::npos) {
    std::erase_if(env, [&](const std::string& e) { return env_key(e) == key; });
    return;
  }
  for (auto& e : env)
    if (env_key(e) == key) {
      e = kv;
      return;
    }
  env.push_back(kv);
}

bool has_env(const std::vector<std::string>& env, const std::string& key) {
  return std::any_of(env.begin(), env.end(), [&](const auto& e) { return env_key(e) == key; });
}

nlohmann::json mount(const char* dest, const char* type, const char* source, std::vector<std::string> options) {
  return {{"destination", dest}, {"type", type}, {"source", source}, {"options", options}};
}

std::size_t depth(const std::string& path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')) - (path.size() > 1 && path.back() == '/');
}

nlohmann::json user_mount(const MountSetting& m) {
  auto options = m.options;
  auto has = [&](const char* o) { return std::find(options.begin(), options.end(), o) != options.end(); };
  if (m.type == "bind") {
    if (!has("bind") && !has("rbind")) options.emplace_back("rbind");
    static const char* kPropagation[] = {"private", "rprivate", "shared", "rshared", "slave", "rslave"};
    if (std::none_of(std::begin(kPropagation), std::end(kPropagation), has)) options.emplace_back("rprivate");
  }
  nlohmann::json j = {{"destination", m.destination}, {"type", m.type}, {"source", m.source}, {"options", options}};
  if (!m.source_root.empty()) j[kMountSourceRootKey] = m.source_root;
  return j;
}

// linux.devices entry for a host device node (user devices and privileged containers).
nlohmann::json device_entry(const std::string& host_path, const std::string& container_path) {
  struct stat st{};
  if (::stat(host_path.c_str(), &st) != 0) throw SystemError("error gathering device information while adding device \"" + host_path + "\"", errno);
  std::string type;
  if (S_ISCHR(st.st_mode)) type = "c";
  else if (S_ISBLK(st.st_mode)) type = "b";
  else throw Error("device \"" + host_path + "\" is not a character or block device");
  return {{"path", container_path}, {"type", type}, {"major", major(st.st_rdev)}, {"minor", minor(st.st_rdev)},
          {"fileMode", st.st_mode & 07777}, {"uid", st.st_uid}, {"gid", st.st_gid}};
}

// Every device node of the host's /dev, for privileged containers (as Docker's HostDevices).
nlohmann::json host_devices() {
  namespace stdfs = std::filesystem;
  nlohmann::json out = nlohmann::json::array();
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator("/dev", stdfs::directory_options::skip_permission_denied, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const auto name = it->path().filename().string();
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (name == "pts" || name == "shm" || name == "fd" || name == "mqueue" || name[0] == '.') it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || it->path() == "/dev/console") continue;
    struct stat st{};
    if (::lstat(it->path().c_str(), &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) continue;
    out.push_back(device_entry(it->path().string(), it->path().string()));
  }
  return out;
}

nlohmann::json device_rule(bool allow, const char* type, std::int64_t major, std::int64_t minor, const char* access) {
  nlohmann::json r = {{"allow", allow}, {"type", type}, {"access", access}};
  r["major"] = major < 0 ? nlohmann::json() : nlohmann::json(major);
  r["minor"] = minor < 0 ? nlohmann::json() : nlohmann::json(minor);
  if (major < 0) r.erase("major");
  if (minor < 0) r.erase("minor");
  return r;
}

// Docker's rules plus the ones runc adds on its own, so the effective list is Docker's.
nlohmann::json default_device_rules() {
  return {
      {{"allow", false}, {"access", "rwm"}},
      device_rule(true, "c", -1, -1, "m"),    device_rule(true, "b", -1, -1, "m"),
      device_rule(true, "c", 1, 3, "rwm"),    device_rule(true, "c", 1, 5, "rwm"),
      device_rule(true, "c", 1, 7, "rwm"),    device_rule(true, "c", 1, 8, "rwm"),
      device_rule(true, "c", 1, 9, "rwm"),    device_rule(true, "c", 5, 0, "rwm"),
      device_rule(true, "c", 5, 1, "rwm"),    device_rule(true, "c", 5, 2, "rwm"),
      device_rule(true, "c", 136, -1, "rwm"), device_rule(true, "c", 10, 200, "rwm"),
      device_rule(false, "c", 10, 229, "rwm"),
  };
}

// "c 1:3 rwm", "a *:* rwm" (device_cgroup_rules syntax).
nlohmann::json parse_cgroup_rule(const std::string& rule) {
  char type = 0;
  char maj[16] = {0}, min[16] = {0}, access[8] = {0};
  if (std::sscanf(rule.c_str(), " %c %15[0-9*]:%15[0-9*] %7[rwm]", &type, maj, min, access) != 4 ||
      (type != 'a' && type != 'b' && type != 'c'))
    throw Error("invalid device cgroup rule \"" + rule + "\" (want e.g. \"c 1:3 rwm\")");
  nlohmann::json r = {{"allow", true}, {"type", std::string(1, type)}, {"access", access}};
  if (std::string(maj) != "*") r["major"] = std::stoll(maj);
  if (std::string(min) != "*") r["minor"] = std::stoll(min);
  return r;
}

struct SecurityOptions {
  bool seccomp_unconfined = false;
  bool no_new_privileges = false;
};

SecurityOptions parse_security_opt(const std::vector<std::string>& opts) {
  SecurityOptions s;
  for (const auto& raw : opts) {
    auto sep = raw.find_first_of("=:");
    const auto key = raw.substr(0, sep);
    const auto value = sep == std::string::npos ? std::string() : raw.substr(sep + 1);
    if (key == "seccomp") {
      if (value != "unconfined")
        throw Error("security_opt \"" + raw + "\": only seccomp=unconfined is supported (custom profiles are not yet)");
      s.seccomp_unconfined = true;
    } else if (key == "no-new-privileges") {
      if (value.empty() || value == "true") s.no_new_privileges = true;
      else if (value == "false") s.no_new_privileges = false;
      else throw Error("security_opt \"" + raw + "\": no-new-privileges takes true or false");
    } else if (key == "apparmor" || key == "label") {
      // No LSM support; Docker on hosts without AppArmor/SELinux ignores these too.
    } else {
      throw Error("security_opt \"" + raw + "\" is not supported");
    }
  }
  return s;
}

nlohmann::json namespace_entry(const char* type, const NamespaceMode& mode) {
  nlohmann::json ns = {{"type", type}};
  if (mode.kind == NamespaceMode::Join) ns["path"] = mode.path;
  return ns;
}

}  // namespace

std::vector<std::string> default_capabilities() {
  return {"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",  "CAP_FOWNER",           "CAP_MKNOD",
          "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",  "CAP_SETFCAP",          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
}

std::vector<std::string> effective_capabilities(const std::vector<std::string>& cap_add,
                                                const std::vector<std::string>& cap_drop, bool privileged) {
  if (privileged) return bounding_capability_names();
  auto normalize = [](const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (auto c : in) {
      c = upper(c);
      if (c != "ALL") {
        if (c.rfind("CAP_", 0) != 0) c = "CAP_" + c;
        const auto all = all_capability_names();
        if (std::find(all.begin(), all.end(), c) == all.end()) throw Error("unknown capability: \"" + c + "\"");
      }
      out.push_back(c);
    }
    return out;
  };
  const auto add = normalize(cap_add);
  const auto drop = normalize(cap_drop);
  auto in = [](const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); };
  std::vector<std::string> caps;
  if (in(add, "ALL")) {
    for (const auto& c : bounding_capability_names())
      if (!in(drop, c)) caps.push_back(c);
  } else if (in(drop, "ALL")) {
    caps = add;
  } else {
    for (const auto& c : default_capabilities())
      if (!in(drop, c)) caps.push_back(c);
    for (const auto& c : add)
      if (!in(caps, c)) caps.push_back(c);
  }
  return caps;
}

namespace {

// process: the command as Docker merges it with the image's (an entrypoint of its own drops
// the image's Cmd; an empty one drops the image's entrypoint only; an empty command is the
// image's Cmd), the user, the environment, capabilities and rlimits.
nlohmann::json process_section(const ImageConfig& image, const ContainerSettings& s, const std::vector<std::string>& caps,
                               const SecurityOptions& security) {
  const bool own_entrypoint = s.entrypoint && !s.entrypoint->empty();
  std::vector<std::string> args = s.entrypoint ? *s.entrypoint : image.entrypoint;
  const bool image_cmd = !own_entrypoint && (!s.command || s.command->empty());
  const std::vector<std::string> cmd = image_cmd ? image.cmd : s.command.value_or(std::vector<std::string>{});
  args.insert(args.end(), cmd.begin(), cmd.end());
  if (args.empty()) throw Error("No command specified", 125);

  const auto user = resolve_image_user(s.rootfs_on_host.empty() ? s.rootfs : s.rootfs_on_host,
                                 s.user.empty() ? image.user : s.user, s.group_add);

  std::vector<std::string> env{kDefaultPath};
  if (!s.hostname.empty()) env.push_back("HOSTNAME=" + s.hostname);
  if (s.tty) env.emplace_back("TERM=xterm");
  for (const auto& e : image.env) set_env(env, e);
  for (const auto& e : s.env) set_env(env, e);
  if (!has_env(env, "HOME")) env.push_back("HOME=" + user.home);

  nlohmann::json process = {
      {"terminal", s.tty},
      {"user", {{"uid", user.uid}, {"gid", user.gid}}},
      {"args", args},
      {"env", env},
      {"cwd", !s.working_dir.empty() ? s.working_dir : (!image.working_dir.empty() ? image.working_dir : "/")},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"noNewPrivileges", security.no_new_privileges},
      {"oomScoreAdj", s.oom_score_adj.value_or(0)},
  };
  if (!user.additional_gids.empty()) process["user"]["additionalGids"] = user.additional_gids;
  if (!s.ulimits.empty()) {
    nlohmann::json rl = nlohmann::json::array();
    for (const auto& u : s.ulimits) {
      const auto type = "RLIMIT_" + upper(u.name);
      try {
        rlimit_number(type);
      } catch (const Error&) {
        throw Error("invalid ulimit type: " + u.name);
      }
      if (u.soft > u.hard) throw Error("ulimit " + u.name + ": soft limit " + std::to_string(u.soft) + " is above the hard limit " + std::to_string(u.hard));
      rl.push_back({{"type", type}, {"soft", u.soft}, {"hard", u.hard}});
    }
    process["rlimits"] = rl;
  }
  return process;
}

// Mounts: the defaults, minus those a user mount replaces, then user mounts parents first.
nlohmann::json mounts_section(const ContainerSettings& s) {
  const auto shm_size = s.shm_size.value_or(kDefaultShmSize);
  if (shm_size <= 0) throw Error("shm_size must be positive, got " + std::to_string(shm_size));
  const char* sys_mode = s.privileged && !s.read_only ? "rw" : "ro";
  std::vector<nlohmann::json> mounts = {
      mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", sys_mode}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", sys_mode}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
  };
  // Docker's `ipc: none` (no_shm) is a private IPC namespace without any /dev/shm.
  if (s.ipc.kind == NamespaceMode::Host)
    mounts.push_back(mount("/dev/shm", "bind", "/dev/shm", {"rbind", "rprivate"}));
  else if (!s.no_shm)
    mounts.push_back(mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=" + std::to_string(shm_size)}));
  std::vector<MountSetting> user_mounts = s.mounts;
  std::stable_sort(user_mounts.begin(), user_mounts.end(),
                   [](const MountSetting& a, const MountSetting& b) { return depth(a.destination) < depth(b.destination); });
  nlohmann::json all_mounts = nlohmann::json::array();
  for (const auto& m : mounts) {
    const auto dest = m["destination"].get<std::string>();
    if (std::none_of(user_mounts.begin(), user_mounts.end(), [&](const MountSetting& u) { return u.destination == dest; }))
      all_mounts.push_back(m);
  }
  for (const auto& m : user_mounts) {
    if (m.destination.empty() || m.destination[0] != '/') throw Error("mount destination \"" + m.destination + "\" must be an absolute path");
    all_mounts.push_back(user_mount(m));
  }
  return all_mounts;
}

// Namespaces, in Docker's order.
nlohmann::json namespaces_section(const ContainerSettings& s) {
  nlohmann::json namespaces = nlohmann::json::array({{{"type", "mount"}}});
  if (s.network.kind != NamespaceMode::Host) namespaces.push_back(namespace_entry("network", s.network));
  if (s.uts.kind != NamespaceMode::Host) namespaces.push_back(namespace_entry("uts", s.uts));
  if (s.pid.kind != NamespaceMode::Host) namespaces.push_back(namespace_entry("pid", s.pid));
  if (s.ipc.kind != NamespaceMode::Host) namespaces.push_back(namespace_entry("ipc", s.ipc));
  if (s.cgroupns_private.value_or(detect_cgroup_mode() == CgroupMode::V2)) namespaces.push_back({{"type", "cgroup"}});
  return namespaces;
}

// linux.devices (the container's device nodes) and the cgroup rules that allow them.
struct DeviceSections {
  nlohmann::json devices, rules;
};
DeviceSections devices_section(const ContainerSettings& s) {
  DeviceSections out;
  out.rules = s.privileged ? nlohmann::json::array({{{"allow", true}, {"access", "rwm"}}}) : default_device_rules();
  out.devices = s.privileged ? host_devices() : nlohmann::json::array();
  for (const auto& d : s.devices) {
    auto entry = device_entry(d.host_path, d.container_path.empty() ? d.host_path : d.container_path);
    out.devices.push_back(entry);
    out.rules.push_back({{"allow", true}, {"type", entry["type"]}, {"major", entry["major"]}, {"minor", entry["minor"]},
                         {"access", d.permissions.empty() ? "rwm" : d.permissions}});
  }
  for (const auto& r : s.device_cgroup_rules) out.rules.push_back(parse_cgroup_rule(r));
  return out;
}

// linux.resources: memory, cpu, pids (devices are added by the caller).
nlohmann::json resources_section(const ContainerSettings& s) {
  nlohmann::json resources = nlohmann::json::object();
  nlohmann::json memory = nlohmann::json::object();
  if (s.memory && *s.memory > 0) {
    memory["limit"] = *s.memory;
    // Docker: memory without memory-swap allows as much swap as memory (memory+swap = 2×).
    std::int64_t swap = s.memory_swap.value_or(0);
    if (swap == 0) swap = *s.memory * 2;
    if (swap > 0 && swap < *s.memory) throw Error("memory_swap " + std::to_string(swap) + " must be at least the memory limit " + std::to_string(*s.memory));
    memory["swap"] = swap;
  } else if (s.memory_swap && *s.memory_swap > 0) {
    throw Error("memory_swap needs a memory limit");
  }
  if (s.memory_reservation && *s.memory_reservation > 0) memory["reservation"] = *s.memory_reservation;
  if (!memory.empty()) resources["memory"] = memory;

  nlohmann::json cpu = nlohmann::json::object();
  if (s.cpus && *s.cpus > 0) {
    cpu["period"] = kCpuPeriod;
    cpu["quota"] = static_cast<std::int64_t>(std::llround(*s.cpus * kCpuPeriod));
  } else if (s.cpus && *s.cpus < 0) {
    throw Error("cpus must not be negative");
  }
  if (s.cpu_shares && *s.cpu_shares > 0) cpu["shares"] = *s.cpu_shares;
  if (!s.cpuset_cpus.empty()) cpu["cpus"] = s.cpuset_cpus;
  if (!s.cpuset_mems.empty()) cpu["mems"] = s.cpuset_mems;
  if (!cpu.empty()) resources["cpu"] = cpu;
  if (s.pids_limit && *s.pids_limit != 0) resources["pids"] = {{"limit", *s.pids_limit}};
  return resources;
}

// Sysctls: unprivileged ports and ping, as Docker, when the container has its own netns.
nlohmann::json sysctl_section(const ContainerSettings& s) {
  nlohmann::json sysctl = nlohmann::json::object();
  if (s.network.kind != NamespaceMode::Host) {
    sysctl["net.ipv4.ip_unprivileged_port_start"] = "0";
    sysctl["net.ipv4.ping_group_range"] = "0 2147483647";
  }
  for (const auto& [k, v] : s.sysctls) sysctl[k] = v;
  return sysctl;
}

}  // namespace

nlohmann::json generate_spec(const ImageConfig& image, const ContainerSettings& s) {
  const auto security = parse_security_opt(s.security_opt);
  const auto caps = effective_capabilities(s.cap_add, s.cap_drop, s.privileged);
  nlohmann::json process = process_section(image, s, caps, security);
  nlohmann::json all_mounts = mounts_section(s);
  nlohmann::json namespaces = namespaces_section(s);
  DeviceSections devices = devices_section(s);
  nlohmann::json resources = nlohmann::json::object();
  resources["devices"] = devices.rules;
  resources.update(resources_section(s));

  nlohmann::json linux_section = {
      {"namespaces", namespaces},
      {"devices", devices.devices},
      {"resources", resources},
      {"sysctl", sysctl_section(s)},
  };
  if (!s.cgroups_path.empty()) linux_section["cgroupsPath"] = s.cgroups_path;
  if (!s.privileged) {
    linux_section["maskedPaths"] = kMaskedPaths;
    linux_section["readonlyPaths"] = kReadonlyPaths;
    if (!security.seccomp_unconfined) linux_section["seccomp"] = default_seccomp_profile(caps);
  }

  nlohmann::json spec = {
      {"ociVersion", "1.1.0"},
      {"process", process},
      {"root", {{"path", s.rootfs}, {"readonly", s.read_only}}},
      {"mounts", all_mounts},
      {"linux", linux_section},
  };
  if (s.uts.kind != NamespaceMode::Host) {
    if (!s.hostname.empty()) spec["hostname"] = s.hostname;
    if (!s.domainname.empty()) spec["domainname"] = s.domainname;
  }
  nlohmann::json annotations = nlohmann::json::object();
  for (const auto& [k, v] : s.annotations) annotations[k] = v;
  if (s.init) annotations["org.mycompose.init"] = "true";
  if (!annotations.empty()) spec["annotations"] = annotations;
  return spec;
}

}  // namespace mycompose::runtime
