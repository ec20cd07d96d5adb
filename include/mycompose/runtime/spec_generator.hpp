#pragma once
// Docker-parity OCI config.json generator: image config + container settings → the spec our
// runtime (or runc) runs, with the defaults `docker run` gives (see shared/DESIGN.md,
// "Security defaults"). The runtime knows nothing of Compose: the scheduler fills these
// structs from a service.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mycompose::runtime {

// The parts of an OCI image config ("config" object) a container start needs.
struct ImageConfig {
  std::vector<std::string> env;         // "KEY=value"
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::string user;                     // "", "name", "uid", "name:group", "uid:gid"
};

// One mount, already in OCI terms (volumes resolved to host folders by the caller).
struct MountSetting {
  std::string destination;
  std::string source;
  std::string type = "bind";            // bind, tmpfs, …
  std::vector<std::string> options;     // bind mounts get "rbind" and "rprivate" when absent
  // A bind source a container may be able to change (inside a volume, or a host path): the
  // trusted folder it lies in, below which the runtime follows no symlink on any start
  // (written as "org.mycompose.sourceRoot", see mycompose/runtime/mount_source.hpp).
  std::string source_root = {};
};

// A host device to expose, as `devices:` ("/dev/fuse:/dev/fuse:rwm").
struct DeviceSetting {
  std::string host_path;
  std::string container_path;           // "" = same as host_path
  std::string permissions = "rwm";
};

struct Ulimit {
  std::string name;                     // Docker's names: "nofile", "nproc", "core", …
  std::int64_t soft = 0;
  std::int64_t hard = 0;
};

// A namespace setting: private (new), the host's (no namespace entry), or joined by path
// ("/proc/<pid>/ns/net", a bind-mounted netns file, …).
struct NamespaceMode {
  enum Kind { Private, Host, Join } kind = Private;
  std::string path;                     // for Join
  static NamespaceMode host() { return {Host, ""}; }
  static NamespaceMode join(std::string p) { return {Join, std::move(p)}; }
};

struct ContainerSettings {
  std::string rootfs = "rootfs";        // root.path as written into config.json
  std::string rootfs_on_host;           // where /etc/passwd and /etc/group are read ("" = rootfs)
  std::string hostname;
  std::string domainname;
  std::vector<std::string> env;         // "KEY=value", overrides the image's
  std::optional<std::vector<std::string>> entrypoint;  // set = replaces the image's (and drops its Cmd)
  std::optional<std::vector<std::string>> command;     // set = replaces the image's Cmd
  std::string user;                     // overrides the image's
  std::vector<std::string> group_add;   // names (from the rootfs's /etc/group) or gids
  std::string working_dir;              // overrides the image's
  std::vector<MountSetting> mounts;
  std::vector<std::string> cap_add, cap_drop;  // names with or without CAP_, or "ALL"
  bool privileged = false;
  bool read_only = false;
  bool tty = false;
  bool init = false;                    // recorded as an annotation; our PID 1 is always our init
  std::vector<std::string> security_opt;  // seccomp=unconfined, no-new-privileges[:true|=true]
  std::map<std::string, std::string> sysctls;
  std::vector<Ulimit> ulimits;
  std::optional<std::int64_t> shm_size;  // bytes; default 64 MiB
  bool no_shm = false;                   // no /dev/shm at all (Docker's `ipc: none`)
  std::optional<std::int64_t> memory;              // bytes
  std::optional<std::int64_t> memory_reservation;  // bytes
  std::optional<std::int64_t> memory_swap;         // memory+swap bytes, -1 = unlimited (Docker's --memory-swap)
  std::optional<double> cpus;                      // 1.5 = 150000/100000
  std::optional<std::int64_t> cpu_shares;
  std::string cpuset_cpus, cpuset_mems;
  std::optional<std::int64_t> pids_limit;
  std::optional<int> oom_score_adj;
  std::vector<DeviceSetting> devices;
  std::vector<std::string> device_cgroup_rules;    // "c 1:3 rwm"
  NamespaceMode network;                // Private: new netns (the engine configures it)
  NamespaceMode pid;
  NamespaceMode ipc;
  NamespaceMode uts;
  std::optional<bool> cgroupns_private;  // default: private on cgroup v2 hosts, host on v1
  std::string cgroups_path;             // linux.cgroupsPath, e.g. "mycompose/<hash>/<id>"
  std::map<std::string, std::string> annotations;
};

struct ResolvedUser {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::vector<std::uint32_t> additional_gids;
  std::string home = "/";
};

// Resolves a Docker user string against rootfs/etc/passwd and rootfs/etc/group (read inside the
// root: symlinks cannot leave it). Like Docker: "" = root; a numeric uid needs no passwd entry;
// a name must exist ("unable to find user <name>: no matching entries in passwd file");
// supplementary groups are the groups listing the user, plus group_add.
ResolvedUser resolve_image_user(const std::string& rootfs, const std::string& user,
                          const std::vector<std::string>& group_add = {});

// Docker's default capability set (the 14 of CapEff 00000000a80425fb).
std::vector<std::string> default_capabilities();

// Docker's cap_add/cap_drop/privileged rules; names are validated ("unknown capability: \"CAP_X\"").
std::vector<std::string> effective_capabilities(const std::vector<std::string>& cap_add,
                                                const std::vector<std::string>& cap_drop, bool privileged);

// The whole config.json. Throws Error on invalid settings (unknown capability, unknown
// ulimit, no command, unknown user, unsupported security_opt, missing device).
nlohmann::json generate_spec(const ImageConfig& image, const ContainerSettings& settings);

}  // namespace mycompose::runtime
