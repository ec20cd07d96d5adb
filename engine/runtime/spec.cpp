#include "spec.hpp"

#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "default_device_rules.hpp"
#include "hooks.hpp"
#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/runtime/capabilities.hpp"
#include "mycompose/runtime/mount_source.hpp"
#include "mycompose/runtime/seccomp.hpp"
#include "mycompose/runtime/sysctl.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;

struct NsName {
  const char* oci;
  const char* proc;
  int flag;
};
constexpr NsName kNamespaces[] = {
    {"user", "user", CLONE_NEWUSER}, {"ipc", "ipc", CLONE_NEWIPC},     {"uts", "uts", CLONE_NEWUTS},
    {"network", "net", CLONE_NEWNET}, {"pid", "pid", CLONE_NEWPID},    {"cgroup", "cgroup", CLONE_NEWCGROUP},
    {"mount", "mnt", CLONE_NEWNS},
};

[[noreturn]] void bad(const std::string& field, const std::string& what) {
  throw Error("config.json: " + field + " " + what);
}

const json* member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string get_string(const json& obj, const char* key, const std::string& where, bool required) {
  const json* v = member(obj, key);
  if (!v) {
    if (required) bad(where + "." + key, "is required");
    return {};
  }
  if (!v->is_string()) bad(where + "." + key, "must be a string");
  return v->get<std::string>();
}

std::vector<std::string> string_array(const json* v, const std::string& field) {
  std::vector<std::string> out;
  if (!v) return out;
  if (!v->is_array()) bad(field, "must be an array of strings");
  for (const auto& e : *v) {
    if (!e.is_string()) bad(field, "must be an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

void check_id(const json& v, const std::string& field) {
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 4294967294LL)
    bad(field, "must be an integer between 0 and 4294967294 (got " + v.dump() + ")");
}

void check_id_mappings(const json* v, const std::string& field) {
  if (!v) return;
  if (!v->is_array()) bad(field, "must be an array");
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& m = (*v)[i];
    std::string f = field + "[" + std::to_string(i) + "]";
    if (!m.is_object()) bad(f, "must be an object");
    for (const char* k : {"containerID", "hostID", "size"}) {
      if (!member(m, k)) bad(f + "." + k, "is required");
      check_id(m[k], f + "." + k);
    }
  }
}

}  // namespace

int namespace_flag(const std::string& type) {
  for (const auto& n : kNamespaces)
    if (type == n.oci) return n.flag;
  throw Error("config.json: linux.namespaces: unknown namespace type \"" + type + "\"");
}

const char* namespace_proc_name(int flag) {
  for (const auto& n : kNamespaces)
    if (flag == n.flag) return n.proc;
  return "?";
}

int Spec::clone_flags_new() const {
  int flags = 0;
  for (const auto& n : namespaces)
    if (n.path.empty()) flags |= n.flag;
  return flags;
}

bool Spec::has(int flag) const { return find(flag) != nullptr; }

const NamespaceSpec* Spec::find(int flag) const {
  for (const auto& n : namespaces)
    if (n.flag == flag) return &n;
  return nullptr;
}

void check_process(const json& p, const std::string& where) {
  if (!p.is_object()) bad(where, "must be an object");
  const json* args = member(p, "args");
  if (!args || !args->is_array() || args->empty()) bad(where + ".args", "must be a non-empty array of strings");
  string_array(args, where + ".args");
  string_array(member(p, "env"), where + ".env");
  std::string cwd = get_string(p, "cwd", where, true);
  if (cwd.empty() || cwd[0] != '/') bad(where + ".cwd", "must be an absolute path (got \"" + cwd + "\")");
  if (const json* t = member(p, "terminal"); t && !t->is_boolean()) bad(where + ".terminal", "must be a boolean");
  if (const json* t = member(p, "noNewPrivileges"); t && !t->is_boolean())
    bad(where + ".noNewPrivileges", "must be a boolean");
  if (const json* u = member(p, "user")) {
    if (!u->is_object()) bad(where + ".user", "must be an object");
    for (const char* k : {"uid", "gid"}) {
      if (!member(*u, k)) bad(where + ".user." + k, "is required");
      check_id((*u)[k], where + ".user." + k);
    }
    if (const json* g = member(*u, "additionalGids")) {
      if (!g->is_array()) bad(where + ".user.additionalGids", "must be an array");
      for (const auto& e : *g) check_id(e, where + ".user.additionalGids");
    }
    if (const json* m = member(*u, "umask"); m && !m->is_number_unsigned()) bad(where + ".user.umask", "must be a number");
  }
  if (const json* caps = member(p, "capabilities")) {
    if (!caps->is_object()) bad(where + ".capabilities", "must be an object");
    for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"}) {
      auto names = string_array(member(*caps, set), where + ".capabilities." + set);
      try {
        capability_numbers(names);
      } catch (const Error& e) {
        throw Error("config.json: " + where + ".capabilities." + set + ": " + e.what());
      }
    }
  }
  if (const json* rl = member(p, "rlimits")) {
    if (!rl->is_array()) bad(where + ".rlimits", "must be an array");
    for (const auto& r : *rl) {
      if (!r.is_object() || !member(r, "type") || !r["type"].is_string())
        bad(where + ".rlimits", "entries need a string \"type\"");
      try {
        rlimit_number(r["type"].get<std::string>());
      } catch (const Error& e) {
        throw Error("config.json: " + where + ".rlimits: " + e.what());
      }
      for (const char* k : {"soft", "hard"})
        if (!member(r, k) || !r[k].is_number_unsigned()) bad(where + ".rlimits." + k, "must be an unsigned integer");
    }
    // What setrlimit would refuse only once the app is set up, refused here by name.
    for (std::size_t i = 0; i < rl->size(); ++i) {
      const json& r = (*rl)[i];
      const std::string f = where + ".rlimits[" + std::to_string(i) + "]", type = r["type"].get<std::string>();
      const auto soft = r["soft"].get<std::uint64_t>(), hard = r["hard"].get<std::uint64_t>();
      if (soft > hard) bad(f, type + ": the soft limit " + std::to_string(soft) + " exceeds the hard limit " + std::to_string(hard));
      for (std::size_t j = 0; j < i; ++j)
        if ((*rl)[j]["type"] == type) bad(f, "repeats " + type);
    }
  }
  if (const json* o = member(p, "oomScoreAdj"); o && (!o->is_number_integer() || o->get<int>() < -1000 || o->get<int>() > 1000))
    bad(where + ".oomScoreAdj", "must be an integer between -1000 and 1000");
}

void check_capabilities_held(const json& p, const std::string& where) {
  const json* caps = member(p, "capabilities");
  if (!caps || !caps->is_object()) return;
  const int known = cap_max_bits();
  for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"}) {
    const auto names = string_array(member(*caps, set), where + ".capabilities." + set);
    const auto numbers = capability_numbers(names);
    for (std::size_t i = 0; i < names.size(); ++i)
      // Unknown to this kernel: skipped, as runc does (apply_capabilities).
      if (numbers[i] < known && cap_get_bound(static_cast<cap_value_t>(numbers[i])) != 1)
        bad(where + ".capabilities." + set, names[i] + " is not in the runtime's capability bounding set: it cannot be given");
  }
}

namespace {

bool file_says_yes(const char* path) {
  try {
    std::string v = fs::read_file(path, 16);
    return !v.empty() && (v[0] == 'Y' || v[0] == '1');
  } catch (const std::exception&) {
    return false;
  }
}

// Security labels this runtime does not apply: refused rather than silently dropped, with the
// reason runc gives when the host lacks the module; a mount label on a host without SELinux
// is ignored as runc does, with a warning.
void refuse_lsm_fields(const json& raw) {
  struct Field {
    const char* object;  // "process" or "linux"
    const char* key;
    const char* module;
  };
  static constexpr Field kFields[] = {{"process", "apparmorProfile", "AppArmor"},
                                      {"process", "selinuxLabel", "SELinux"},
                                      {"linux", "mountLabel", "SELinux"}};
  for (const auto& f : kFields) {
    const json* obj = member(raw, f.object);
    const json* v = obj && obj->is_object() ? member(*obj, f.key) : nullptr;
    if (!v) continue;
    const std::string field = std::string(f.object) + "." + f.key;
    if (!v->is_string()) bad(field, "must be a string");
    if (v->get<std::string>().empty()) continue;
    const bool enabled = std::string(f.module) == "AppArmor" ? file_says_yes("/sys/module/apparmor/parameters/enabled")
                                                           : ::access("/sys/fs/selinux/enforce", F_OK) == 0;
    if (!enabled && std::string(f.key) == "mountLabel") {
      // runc formats the mount label only when SELinux is on and otherwise mounts without it;
      // so do we, but the user is told.
      std::string line = "warning: config.json: " + field + " is set (\"" + v->get<std::string>() + "\") but SELinux is not enabled on this host: it is not applied\n";
      (void)!::write(2, line.data(), line.size());
      continue;
    }
    if (!enabled) bad(field, "is set (\"" + v->get<std::string>() + "\") but " + f.module + " is not enabled on this host");
    bad(field, std::string("is set (\"") + v->get<std::string>() + "\") but this runtime does not apply " + f.module + " labels");
  }
}

}  // namespace

// A namespace of the container's own: created, or joined at a path that is not the one this
// runtime itself is in (joining the host's is the same as having none).
static bool owns_namespace(const Spec& s, int flag) {
  const NamespaceSpec* n = s.find(flag);
  if (!n) return false;
  if (n->path.empty()) return true;
  struct stat joined, self;
  const std::string own = std::string("/proc/self/ns/") + namespace_proc_name(flag);
  if (::stat(n->path.c_str(), &joined) != 0 || ::stat(own.c_str(), &self) != 0) return false;
  return joined.st_dev != self.st_dev || joined.st_ino != self.st_ino;
}

Spec parse_spec(const json& raw, const std::filesystem::path& bundle, bool full) {
  Spec s;
  s.raw = raw;
  s.bundle = bundle;
  if (!raw.is_object()) throw Error("config.json: the document must be a JSON object");
  get_string(raw, "ociVersion", "", false);
  const json* root = member(raw, "root");
  if (!root || !root->is_object()) bad("root", "is required (an object with \"path\")");
  std::string root_path = get_string(*root, "path", "root", true);
  if (root_path.empty()) bad("root.path", "must not be empty");
  if (const json* ro = member(*root, "readonly"); ro && !ro->is_boolean()) bad("root.readonly", "must be a boolean");
  s.rootfs = std::filesystem::path(root_path).is_absolute() ? std::filesystem::path(root_path) : bundle / root_path;
  s.rootfs = s.rootfs.lexically_normal();
  if (s.rootfs.string().size() > 1 && s.rootfs.string().back() == '/') s.rootfs = s.rootfs.parent_path();

  const json* process = member(raw, "process");
  if (!process) bad("process", "is required");
  check_process(*process, "process");
  if (full) check_capabilities_held(*process, "process");
  if (full) refuse_lsm_fields(raw);
  if (const json* h = member(raw, "hostname"); h && !h->is_string()) bad("hostname", "must be a string");

  if (const json* mounts = member(raw, "mounts")) {
    if (!mounts->is_array()) bad("mounts", "must be an array");
    for (std::size_t i = 0; i < mounts->size(); ++i) {
      const json& m = (*mounts)[i];
      std::string where = "mounts[" + std::to_string(i) + "]";
      if (!m.is_object()) bad(where, "must be an object");
      MountSpec ms;
      ms.destination = get_string(m, "destination", where, true);
      if (ms.destination.empty() || ms.destination[0] != '/')
        bad(where + ".destination", "must be an absolute path (got \"" + ms.destination + "\")");
      ms.type = get_string(m, "type", where, false);
      ms.source = get_string(m, "source", where, false);
      ms.options = string_array(member(m, "options"), where + ".options");
      bool is_bind = ms.type == "bind";
      for (const auto& o : ms.options)
        if (o == "bind" || o == "rbind") is_bind = true;
      ms.source_root = get_string(m, kMountSourceRootKey, where, false);
      if (is_bind) {
        if (ms.source.empty()) bad(where + ".source", "is required for a bind mount");
        if (ms.source[0] != '/') ms.source = (bundle / ms.source).lexically_normal().string();
        if (!ms.source_root.empty()) {
          try {
            source_below_root(ms.source, ms.source_root);
          } catch (const Error& e) {
            bad(where + "." + kMountSourceRootKey, std::string("must be an absolute folder holding the source: ") + e.what());
          }
        }
      } else if (!ms.source_root.empty()) {
        bad(where + "." + kMountSourceRootKey, "is only for bind mounts");
      } else if (ms.type.empty()) {
        bad(where + ".type", "is required for a mount that is not a bind mount");
      }
      s.mounts.push_back(std::move(ms));
    }
  }

  check_hooks(raw.value("hooks", json()));
  const json* linux = member(raw, "linux");
  if (linux && !linux->is_object()) bad("linux", "must be an object");
  static const json kEmpty = json::object();
  const json& lx = linux ? *linux : kEmpty;
  if (const json* ns = member(lx, "namespaces")) {
    if (!ns->is_array()) bad("linux.namespaces", "must be an array");
    for (std::size_t i = 0; i < ns->size(); ++i) {
      std::string where = "linux.namespaces[" + std::to_string(i) + "]";
      if (!(*ns)[i].is_object()) bad(where, "must be an object");
      NamespaceSpec n;
      n.type = get_string((*ns)[i], "type", where, true);
      n.flag = namespace_flag(n.type);
      n.path = get_string((*ns)[i], "path", where, false);
      if (s.has(n.flag)) bad(where, "repeats the namespace type \"" + n.type + "\"");
      if (!n.path.empty()) {
        struct stat st;
        if (::stat(n.path.c_str(), &st) != 0) throw SystemError("config.json: " + where + ".path " + n.path, errno);
      }
      s.namespaces.push_back(n);
    }
  }
  if (!s.has(CLONE_NEWNS)) {
    // The container shares our mount namespace and is only chrooted into its rootfs: anything
    // mounted or masked would land on the host, so what needs a mount namespace is refused
    // (runc refuses masked and read-only paths the same way).
    const char* needs[][2] = {{"mounts", nullptr},          {"linux", "maskedPaths"}, {"linux", "readonlyPaths"},
                              {"linux", "devices"},         {"linux", "sysctl"},      {"linux", "rootfsPropagation"},
                              {"linux", "mountLabel"}};
    for (const auto& [a, b] : needs) {
      const json* v = b ? member(lx, b) : member(raw, a);
      if (v && !v->empty() && !(v->is_string() && v->get<std::string>().empty())) bad(b ? std::string(a) + "." + b : std::string(a), "needs a \"mount\" namespace in linux.namespaces");
    }
    if (const json* ro = member(*root, "readonly"); ro && ro->get<bool>()) bad("root.readonly", "needs a \"mount\" namespace in linux.namespaces");
  }
  check_id_mappings(member(lx, "uidMappings"), "linux.uidMappings");
  check_id_mappings(member(lx, "gidMappings"), "linux.gidMappings");
  if (const NamespaceSpec* u = s.find(CLONE_NEWUSER); u && u->path.empty()) {
    if (!member(lx, "uidMappings") || lx["uidMappings"].empty()) bad("linux.uidMappings", "is required with a new user namespace");
    if (!member(lx, "gidMappings") || lx["gidMappings"].empty()) bad("linux.gidMappings", "is required with a new user namespace");
  }
  if (member(raw, "hostname") && !raw["hostname"].get<std::string>().empty() && !s.has(CLONE_NEWUTS))
    bad("hostname", "needs a \"uts\" namespace");
  s.cgroups_path = get_string(lx, "cgroupsPath", "linux", false);
  if (std::string p = get_string(lx, "rootfsPropagation", "linux", false); !p.empty()) {
    const bool rec = p[0] == 'r' && p != "r";
    const std::string base = rec ? p.substr(1) : p;
    unsigned long flag = base == "shared" ? MS_SHARED : base == "slave" ? MS_SLAVE : base == "private" ? MS_PRIVATE
                       : base == "unbindable" ? MS_UNBINDABLE : 0;
    if (!flag) bad("linux.rootfsPropagation", "must be one of shared, slave, private, unbindable (or rshared, rslave, rprivate, runbindable), not \"" + p + "\"");
    s.rootfs_propagation = flag | (rec ? MS_REC : 0);
  }
  string_array(member(lx, "maskedPaths"), "linux.maskedPaths");
  string_array(member(lx, "readonlyPaths"), "linux.readonlyPaths");
  if (const json* sc = member(lx, "sysctl")) {
    if (!sc->is_object()) bad("linux.sysctl", "must be an object of strings");
    const OwnNamespaces own{owns_namespace(s, CLONE_NEWIPC), owns_namespace(s, CLONE_NEWNET), owns_namespace(s, CLONE_NEWUTS)};
    for (const auto& [k, v] : sc->items()) {
      if (!v.is_string() || k.empty() || k.find("..") != std::string::npos || k.find('/') != std::string::npos)
        bad("linux.sysctl." + k, "must be a string value with a dotted key");
      // In the runtime, before anything exists (the init, already inside the namespaces,
      // would see a joined one as its own).
      if (std::string why = full ? sysctl_refusal(k, own) : ""; !why.empty()) bad("linux.sysctl:", why);
    }
  }
  if (const json* r = member(lx, "resources"); r && !r->is_object()) bad("linux.resources", "must be an object");
  if (const json* d = member(lx, "devices")) {
    if (!d->is_array()) bad("linux.devices", "must be an array");
    for (std::size_t i = 0; i < d->size(); ++i) {
      const json& dev = (*d)[i];
      std::string where = "linux.devices[" + std::to_string(i) + "]";
      std::string path = get_string(dev, "path", where, true);
      std::string type = get_string(dev, "type", where, true);
      if (path.empty() || path[0] != '/') bad(where + ".path", "must be an absolute path");
      if (type != "c" && type != "b" && type != "u" && type != "p") bad(where + ".type", "must be one of c, b, u, p");
      if (type != "p")
        for (const char* k : {"major", "minor"})
          if (!member(dev, k) || !dev[k].is_number_integer()) bad(where + "." + k, "is required (an integer)");
    }
  }
  // The device cgroup rules as create will write them: a bad rule fails here, before anything exists.
  with_default_device_rules(lx.value("resources", json::object()), lx.value("devices", json::array()));
  if (const json* sc = member(lx, "seccomp"); sc && full) {
    try {
      s.seccomp = compile_seccomp(*sc);
    } catch (const Error& e) {
      throw Error("config.json: linux.seccomp: " + std::string(e.what()));
    }
  }
  return s;
}

Spec load_spec(const std::filesystem::path& bundle_in) {
  std::filesystem::path bundle = std::filesystem::absolute(bundle_in).lexically_normal();
  std::string text = fs::read_file(bundle / "config.json", 16 << 20);
  json raw;
  try {
    raw = parse_json_bounded(text);
  } catch (const json::parse_error& e) {
    throw Error((bundle / "config.json").string() + ": invalid JSON: " + e.what());
  } catch (const JsonTooDeep& e) {
    throw Error((bundle / "config.json").string() + ": " + e.what());
  }
  Spec s = parse_spec(raw, bundle);
  struct stat st;
  if (::stat(s.rootfs.c_str(), &st) != 0) throw SystemError("config.json: root.path: rootfs " + s.rootfs.string(), errno);
  if (!S_ISDIR(st.st_mode)) throw Error("config.json: root.path: rootfs " + s.rootfs.string() + " is not a directory");
  return s;
}

}  // namespace mycompose::runtime
