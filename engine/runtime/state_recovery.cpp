// A container's state rebuilt from what the host has when its state.json is torn or missing:
// the cgroup, the init in it, the config.json copy. Enough to show it and to delete it.
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/runtime/cgroup.hpp"
#include "state_store.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

pid_t parent_of(pid_t pid) {
  try {
    const std::string stat = fs::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
    const auto p = stat.rfind(')');  // comm may hold spaces and parentheses
    if (p == std::string::npos || p + 4 >= stat.size()) return 0;
    return static_cast<pid_t>(std::strtol(stat.c_str() + p + 4, nullptr, 10));  // ") S <ppid>"
  } catch (const Error&) {
    return 0;
  }
}

// The container's init: the process of the cgroup whose parent is not in it (the runtime
// launched it from outside; everything else in the container descends from it).
pid_t init_in(const std::vector<pid_t>& pids) {
  const std::set<pid_t> inside(pids.begin(), pids.end());
  for (pid_t p : pids) {
    const pid_t parent = parent_of(p);
    if (parent != 0 && !inside.count(parent)) return p;
  }
  return 0;
}

bool frozen(Cgroup& cg) {
  for (const auto& [controller, file, value] :
       {std::tuple{"freezer", "freezer.state", "FROZEN"}, std::tuple{"", "cgroup.freeze", "1"}}) {
    try {
      std::string text = fs::read_file(cg.path(controller) + "/" + file, 64);
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      if (text == value) return true;
    } catch (const std::exception&) {
    }
  }
  return false;
}

}  // namespace

std::string default_cgroups_path(const stdfs::path& root, const std::string& id) {
  return "/mycompose-" + sha256_hex(root.string()).substr(0, 8) + "/" + id;
}

StoredState state_from_host(const stdfs::path& dir, const std::string& id) {
  StoredState s;
  s.oci.id = id;
  s.oci.status = "stopped";
  json config = json::object();
  try {
    config = json::parse(fs::read_file(dir / kConfigFile, 16 << 20));
    if (!config.is_object()) config = json::object();
  } catch (const std::exception&) {
  }
  const json annotations = config.value("annotations", json::object());
  if (annotations.is_object())
    for (const auto& [k, v] : annotations.items())
      if (v.is_string() && k != kBundleAnnotation) s.oci.annotations[k] = v.get<std::string>();
  if (annotations.is_object() && annotations.value(kBundleAnnotation, json()).is_string())
    s.oci.bundle = annotations[kBundleAnnotation].get<std::string>();
  const json linux = config.value("linux", json::object());
  s.cgroups_path = linux.is_object() && linux.value("cgroupsPath", json()).is_string() && !linux["cgroupsPath"].get<std::string>().empty()
                       ? linux["cgroupsPath"].get<std::string>()
                       : default_cgroups_path(dir.parent_path(), id);
  const json root = config.value("root", json::object());
  if (root.is_object() && root.value("path", json()).is_string()) {
    const stdfs::path p = root["path"].get<std::string>();
    s.rootfs = p.is_absolute() || s.oci.bundle.empty() ? p : (s.oci.bundle / p).lexically_normal();
  }
  find_init(dir, s);
  return s;
}

void find_init(const stdfs::path& dir, StoredState& s) {
  try {
    auto cg = Cgroup::open(s.cgroups_path);
    const pid_t init = init_in(cg->pids());
    if (init > 0) {
      s.oci.pid = init;
      s.init_start_time = process_start_time(init);
      std::error_code ec;
      s.oci.status = stdfs::exists(dir / kFifo, ec) ? "created" : frozen(*cg) ? "paused" : "running";
    }
  } catch (const std::exception&) {
    // No cgroup: nothing of the container runs.
  }
}

}  // namespace mycompose::runtime
