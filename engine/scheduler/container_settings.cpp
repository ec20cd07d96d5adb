#include "mycompose/scheduler/container_settings.hpp"

#include <algorithm>
#include <sstream>

#include "mycompose/common/error.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/runtime/sysctl.hpp"

namespace mycompose::scheduler {
namespace {

using Json = nlohmann::ordered_json;
using runtime::NamespaceMode;

// Sizes are canonical byte counts after normalization; numbers or digit strings.
std::int64_t bytes(const Json& v) { return v.is_number() ? v.get<std::int64_t>() : std::stoll(v.get<std::string>()); }
double number(const Json& v) { return v.is_number() ? v.get<double>() : std::stod(v.get<std::string>()); }

std::vector<std::string> strings(const Json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  else if (v.is_array())
    for (const auto& s : v) out.push_back(s.get<std::string>());
  return out;
}

// A value under the first present key: deploy.resources wins over the service-level key, as
// in docker compose.
const Json* first(const Json& service, std::initializer_list<std::initializer_list<const char*>> paths) {
  for (const auto& path : paths) {
    const Json* cur = &service;
    for (const char* k : path) {
      if (!cur->is_object() || !cur->contains(k)) {
        cur = nullptr;
        break;
      }
      cur = &(*cur)[k];
    }
    if (cur && !cur->is_null()) return cur;
  }
  return nullptr;
}

class Mapper {
 public:
  Mapper(const std::string& name, const Json& s, const HostBindings& h) : name_(name), s_(s), h_(h) {}

  runtime::ContainerSettings map() {
    runtime::ContainerSettings c;
    c.rootfs = h_.rootfs.empty() ? "rootfs" : h_.rootfs;
    c.rootfs_on_host = h_.rootfs_on_host;
    c.cgroups_path = h_.cgroups_path;
    c.hostname = s_.value("hostname", h_.container_id.substr(0, 12));
    c.domainname = s_.value("domainname", "");
    if (s_.contains("environment"))
      for (const auto& [k, v] : s_["environment"].items())
        c.env.push_back(v.is_null() ? k : k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));  // bare KEY: unset
    if (s_.contains("entrypoint") && !s_["entrypoint"].is_null()) c.entrypoint = strings(s_["entrypoint"]);
    if (s_.contains("command") && !s_["command"].is_null()) c.command = strings(s_["command"]);
    c.user = s_.value("user", "");
    c.working_dir = s_.value("working_dir", "");
    if (s_.contains("group_add"))
      for (const auto& g : s_["group_add"]) c.group_add.push_back(g.is_string() ? g.get<std::string>() : g.dump());
    if (s_.contains("cap_add")) c.cap_add = strings(s_["cap_add"]);
    if (s_.contains("cap_drop")) c.cap_drop = strings(s_["cap_drop"]);
    c.privileged = s_.value("privileged", false);
    c.read_only = s_.value("read_only", false);
    c.tty = s_.value("tty", false);
    c.init = s_.value("init", false);
    if (s_.contains("security_opt")) c.security_opt = strings(s_["security_opt"]);
    if (s_.contains("sysctls"))
      for (const auto& [k, v] : s_["sysctls"].items())
        c.sysctls[runtime::sysctl_dotted(k)] = v.is_string() ? v.get<std::string>() : v.dump();
    ulimits(c);
    resources(c);
    devices(c);
    mounts(c);
    c.network = namespace_mode("network_mode", "net");
    c.pid = namespace_mode("pid", "pid");
    c.ipc = namespace_mode("ipc", "ipc");
    c.no_shm = s_.value("ipc", "") == "none";
    c.uts = namespace_mode("uts", "uts");
    if (s_.contains("labels"))
      for (const auto& [k, v] : s_["labels"].items()) c.annotations[k] = v.is_string() ? v.get<std::string>() : v.dump();
    if (s_.contains("annotations") && s_["annotations"].is_object())
      for (const auto& [k, v] : s_["annotations"].items()) c.annotations[k] = v.is_string() ? v.get<std::string>() : v.dump();
    // Nobody holds a console socket for a service: its init keeps the terminal and writes it
    // to the log pipe, so the output outlives any engine (as containerd's shim does).
    if (c.tty) c.annotations[runtime::kTerminalRelay] = "true";
    if (s_.contains("cgroup")) c.cgroupns_private = s_["cgroup"].get<std::string>() == "private";
    return c;
  }

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& msg) const {
    throw Error("service \"" + name_ + "\": " + key + ": " + msg);
  }

  void ulimits(runtime::ContainerSettings& c) const {
    if (!s_.contains("ulimits")) return;
    for (const auto& [k, v] : s_["ulimits"].items()) {
      runtime::Ulimit u;
      u.name = k;
      if (v.is_object()) {
        u.soft = v.value("soft", std::int64_t{0});
        u.hard = v.value("hard", u.soft);
      } else {
        u.soft = u.hard = v.get<std::int64_t>();
      }
      c.ulimits.push_back(u);
    }
  }

  void resources(runtime::ContainerSettings& c) const {
    if (const Json* v = first(s_, {{"deploy", "resources", "limits", "memory"}, {"mem_limit"}})) c.memory = bytes(*v);
    if (const Json* v = first(s_, {{"deploy", "resources", "reservations", "memory"}, {"mem_reservation"}}))
      c.memory_reservation = bytes(*v);
    if (const Json* v = first(s_, {{"memswap_limit"}})) c.memory_swap = bytes(*v);
    if (const Json* v = first(s_, {{"deploy", "resources", "limits", "cpus"}, {"cpus"}})) c.cpus = number(*v);
    if (const Json* v = first(s_, {{"cpu_shares"}})) c.cpu_shares = v->get<std::int64_t>();
    if (const Json* v = first(s_, {{"cpuset"}})) c.cpuset_cpus = v->get<std::string>();
    if (const Json* v = first(s_, {{"deploy", "resources", "limits", "pids"}, {"pids_limit"}})) c.pids_limit = v->get<std::int64_t>();
    if (const Json* v = first(s_, {{"oom_score_adj"}})) c.oom_score_adj = v->get<int>();
    if (const Json* v = first(s_, {{"shm_size"}})) c.shm_size = bytes(*v);
  }

  void devices(runtime::ContainerSettings& c) const {
    if (s_.contains("devices"))
      for (const auto& d : s_["devices"])
        c.devices.push_back({d.value("source", ""), d.value("target", ""), d.value("permissions", "rwm")});
    if (s_.contains("device_cgroup_rules")) c.device_cgroup_rules = strings(s_["device_cgroup_rules"]);
  }

  // Read-only, always: one layer is bound as it is, more are stacked by an overlay with no
  // upper layer (overlayfs needs two lower layers for that).
  void image_mount(runtime::MountSetting& m, const std::string& target) const {
    auto it = h_.image_layers.find(target);
    if (it == h_.image_layers.end() || it->second.empty()) fail("volumes", "image volume at \"" + target + "\" has no layers");
    const auto& dirs = it->second;
    if (dirs.size() == 1) {
      m.source = dirs.front();
      m.source_root = dirs.front();
      m.options = {"rbind", "ro", "nosuid", "nodev"};
      return;
    }
    std::string lower;
    for (const auto& d : dirs) lower += (lower.empty() ? "" : ":") + d;
    if (lower.size() > 3500) fail("volumes", "image volume at \"" + target + "\": the image has too many layers to mount");
    m.type = "overlay";
    m.source = "overlay";
    m.options = {"lowerdir=" + lower, "ro", "nosuid", "nodev"};
  }

  void mounts(runtime::ContainerSettings& c) const {
    if (s_.contains("volumes"))
      for (const auto& v : s_["volumes"]) {
        const std::string type = v.value("type", "volume"), target = v.value("target", "");
        runtime::MountSetting m;
        m.destination = target;
        if (type == "bind") {
          m.source = v.value("source", "");
          if (auto real = h_.bind_sources.find(m.source); real != h_.bind_sources.end()) {
            m.source = real->second;
            m.source_root = "/";
          }
          if (v.contains("bind") && v["bind"].contains("propagation")) m.options.push_back(v["bind"]["propagation"].get<std::string>());
        } else if (type == "volume") {
          std::string key = v.value("source", "").empty() ? "anonymous:" + target : v.value("source", "");
          if (v.contains("volume") && !v["volume"].value("subpath", "").empty()) key += "/" + v["volume"]["subpath"].get<std::string>();
          auto it = h_.volume_paths.find(key);
          if (it == h_.volume_paths.end()) fail("volumes", "volume \"" + key + "\" has no folder on the host");
          m.source = it->second;  // nocopy is the store's business: it fills volumes before mounting
          if (auto root = h_.volume_roots.find(key); root != h_.volume_roots.end()) m.source_root = root->second;
        } else if (type == "tmpfs") {
          m.type = "tmpfs";
          m.source = "tmpfs";
          m.options = {"nosuid", "nodev"};
          if (v.contains("tmpfs") && v["tmpfs"].contains("size")) m.options.push_back("size=" + std::to_string(bytes(v["tmpfs"]["size"])));
          if (v.contains("tmpfs") && v["tmpfs"].contains("mode")) {
            std::ostringstream mode;
            mode << std::oct << v["tmpfs"]["mode"].get<int>();
            m.options.push_back("mode=" + mode.str());
          }
        } else if (type == "image") {
          image_mount(m, target);
        } else {
          fail("volumes", "volume type \"" + type + "\" is not supported");
        }
        if (v.value("read_only", false)) m.options.push_back("ro");
        c.mounts.push_back(std::move(m));
      }
    volumes_from(c);
    // tmpfs: ["/run:size=10m,mode=755"] — Docker's --tmpfs syntax, options passed to mount.
    if (s_.contains("tmpfs"))
      for (const auto& t : strings(s_["tmpfs"])) {
        runtime::MountSetting m;
        m.type = "tmpfs";
        m.source = "tmpfs";
        auto colon = t.find(':');
        m.destination = t.substr(0, colon);
        m.options = {"nosuid", "nodev", "noexec"};
        if (colon != std::string::npos) {
          std::istringstream opts(t.substr(colon + 1));
          for (std::string o; std::getline(opts, o, ',');)
            if (!o.empty()) m.options.push_back(o);
        }
        c.mounts.push_back(std::move(m));
      }
  }

  // volumes_from: ["db", "db:ro", "container:cache:rw"]: the other container's bind and volume
  // mounts, read-only or read-write as the entry says, else as that container has them. The
  // service's own mounts win over inherited ones at the same target, as in Docker.
  void volumes_from(runtime::ContainerSettings& c) const {
    if (!s_.contains("volumes_from")) return;
    const std::size_t own = c.mounts.size();
    for (const auto& entry : strings(s_["volumes_from"])) {
      std::string from = entry, mode;
      const std::size_t name_start = from.rfind("container:", 0) == 0 ? 10 : 0;
      if (auto colon = from.find(':', name_start); colon != std::string::npos) {
        mode = from.substr(colon + 1);
        from = from.substr(0, colon);
      }
      if (!mode.empty() && mode != "ro" && mode != "rw") fail("volumes_from", "\"" + entry + "\": mode must be ro or rw");
      auto it = h_.volumes_from.find(from);
      if (it == h_.volumes_from.end()) fail("volumes_from", "\"" + from + "\" has no container");
      for (auto m : it->second) {
        if (std::any_of(c.mounts.begin(), c.mounts.begin() + static_cast<std::ptrdiff_t>(own),
                        [&](const runtime::MountSetting& o) { return o.destination == m.destination; }))
          continue;
        if (!mode.empty()) {
          m.options.erase(std::remove_if(m.options.begin(), m.options.end(), [](const std::string& o) { return o == "ro" || o == "rw"; }),
                          m.options.end());
          if (mode == "ro") m.options.push_back("ro");
        }
        c.mounts.push_back(std::move(m));
      }
    }
  }

  NamespaceMode namespace_mode(const std::string& key, const std::string& ns) const {
    const std::string mode = s_.value(key, "");
    if (mode.empty() || mode == "bridge" || mode == "default" || mode == "private" || mode == "shareable" || mode == "none")
      return {};
    if (mode == "host") return NamespaceMode::host();
    if (mode.rfind("service:", 0) == 0 || mode.rfind("container:", 0) == 0) {
      auto it = h_.namespace_owners.find(mode);
      if (it == h_.namespace_owners.end() || it->second <= 0) fail(key, "\"" + mode + "\" is not running");
      return NamespaceMode::join("/proc/" + std::to_string(it->second) + "/ns/" + ns);
    }
    if (key == "network_mode") fail(key, "unsupported network mode \"" + mode + "\"");
    fail(key, "unsupported mode \"" + mode + "\"");
  }

  const std::string& name_;
  const Json& s_;
  const HostBindings& h_;
};

}  // namespace

runtime::ContainerSettings container_settings(const std::string& service_name, const Json& service, const HostBindings& host) {
  return Mapper(service_name, service, host).map();
}

}  // namespace mycompose::scheduler
