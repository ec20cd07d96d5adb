// cgroup v1 (and the v1 side of hybrid hosts): one hierarchy per controller, one writer per
// controller.
#include <fcntl.h>
#include <signal.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "cgroup_files.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::runtime::cgroupfs {
namespace {

namespace stdfs = std::filesystem;

// The controllers a container joins. name=systemd and the unified mount are left to the
// host's manager.
constexpr const char* kControllers[] = {"cpu", "cpuacct", "cpuset", "memory", "devices",
                                        "freezer", "pids", "blkio", "net_cls", "net_prio",
                                        "hugetlb", "perf_event"};

std::string limit_or_max(std::int64_t v) { return v < 0 ? "-1" : std::to_string(v); }

class CgroupV1 final : public Cgroup {
 public:
  CgroupV1(std::string root, std::string relative) : root_(std::move(root)), relative_(std::move(relative)) {
    // Co-mounted controllers (cpu,cpuacct) appear under several names pointing at one
    // hierarchy; each hierarchy is created once.
    std::set<std::string> seen;
    for (const char* c : kControllers) {
      std::error_code ec;
      auto mount = stdfs::path(root_) / c;
      // Only real cgroup mounts: a stray folder of that name on the /sys/fs/cgroup tmpfs
      // would otherwise swallow our `tasks` writes.
      struct statfs sfs;
      if (::statfs(mount.c_str(), &sfs) != 0 || sfs.f_type != CGROUP_SUPER_MAGIC) continue;
      auto canon = stdfs::canonical(mount, ec).string();
      if (ec) continue;
      if (!seen.insert(canon).second) {
        for (auto& [name, base] : bases_)
          if (base == canon) aliases_[c] = name;
        continue;
      }
      bases_[c] = canon;
    }
    if (bases_.empty()) throw Error("no cgroup v1 controllers found under " + root_);
  }

  // A create killed half-way leaves the cgroup in some hierarchies only (they are made in
  // name order): it exists as long as one of them has it, so it can still be destroyed.
  bool exists_anywhere() const {
    for (const auto& [ctrl, base] : bases_)
      if (::access((base + "/" + relative_).c_str(), F_OK) == 0) return true;
    return false;
  }

  void make() {
    for (auto& [ctrl, base] : bases_) {
      make_levels(base, relative_);
      // A new cpuset folder starts with empty cpus/mems and refuses tasks; inherit the parent's.
      // Every level, top down, not only those this call made: a parent another container is
      // creating at the same moment may not have been filled yet (joining then fails ENOSPC).
      if (ctrl == "cpuset") {
        std::string dir = base;
        for (const auto& part : stdfs::path(relative_)) {
          if (part.empty() || part == "/") continue;
          const std::string parent = dir;
          dir += "/" + part.string();
          for (const char* f : {"cpuset.cpus", "cpuset.mems"})
            if (read_if_exists(dir + "/" + f).value_or("").empty()) write(dir + "/" + f, read(parent + "/" + f));
        }
      }
    }
  }

  std::string path(const std::string& controller) const override {
    std::string c = controller;
    if (auto a = aliases_.find(c); a != aliases_.end()) c = a->second;
    auto it = bases_.find(c);
    if (it == bases_.end()) return "";
    return it->second + "/" + relative_;
  }

  void update(const nlohmann::json& r) override {
    if (r.is_null()) return;
    if (!r.is_object()) throw Error("linux.resources must be an object");
    if (r.contains("memory")) write_memory(r["memory"]);
    if (r.contains("cpu")) write_cpu(r["cpu"]);
    if (r.contains("pids")) write_pids(r["pids"]);
    if (r.contains("devices")) write_devices(r["devices"]);
    if (r.contains("blockIO")) write_blkio(r["blockIO"]);
    if (r.contains("network")) write_network(r["network"]);
    if (r.contains("hugepageLimits")) write_hugepages(r["hugepageLimits"]);
    // What v1 has no file for is refused, never dropped (runc refuses them too).
    if (auto u = r.find("unified"); u != r.end() && !u->is_null() && !u->empty())
      throw Error("linux.resources.unified: needs cgroup v2; this host's cgroups are v1");
    if (auto d = r.find("rdma"); d != r.end() && !d->is_null() && !d->empty())
      throw Error("linux.resources.rdma: the rdma cgroup controller is not available on this host");
  }

  void add_process(pid_t pid) override {
    for (auto& [ctrl, base] : bases_) write(base + "/" + relative_ + "/cgroup.procs", std::to_string(pid));
  }

  std::vector<UniqueFd> open_self_join() override {
    std::vector<UniqueFd> files;
    for (auto& [ctrl, base] : bases_) {
      auto file = base + "/" + relative_ + "/tasks";
      UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
      if (!fd) throw SystemError("open " + file, errno);
      files.push_back(std::move(fd));
    }
    return files;
  }

  void freeze(bool frozen) override {
    const auto dir = require("freezer");
    write(dir + "/freezer.state", frozen ? "FROZEN" : "THAWED");
    if (!frozen) return;
    // FREEZING until every task has stopped; re-writing FROZEN nudges tasks that raced a fork.
    for (int i = 0; i < 2000; ++i) {
      if (read(dir + "/freezer.state") == "FROZEN") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (i % 100 == 99) write(dir + "/freezer.state", "FROZEN");
    }
    write(dir + "/freezer.state", "THAWED");
    throw Error("timed out waiting for " + dir + "/freezer.state to become FROZEN");
  }

  std::vector<pid_t> pids() override { return read_pids(procs_folder() + "/cgroup.procs"); }

  void kill_all(int sig) override {
    // Frozen, nothing can fork between listing and signalling.
    const bool can_freeze = !path("freezer").empty();
    if (can_freeze) freeze(true);
    for (pid_t p : pids()) ::kill(p, sig);
    if (can_freeze) write(require("freezer") + "/freezer.state", "THAWED");
  }

  void destroy() override {
    for (auto& [ctrl, base] : bases_) remove_levels(base, relative_);
  }

  nlohmann::json stats() override {
    nlohmann::json out = nlohmann::json::object();
    if (auto dir = path("memory"); !dir.empty()) {
      nlohmann::json m;
      m["usage"] = std::stoull(read(dir + "/memory.usage_in_bytes"));
      if (auto max = read_if_exists(dir + "/memory.max_usage_in_bytes")) m["max_usage"] = std::stoull(*max);
      auto limit = std::stoull(read(dir + "/memory.limit_in_bytes"));
      // The kernel reports "no limit" as a page-rounded LONG_MAX.
      m["limit"] = limit >= (1ULL << 62) ? nlohmann::json() : nlohmann::json(limit);
      auto stat = read(dir + "/memory.stat");
      m["inactive_file"] = stat_value(stat, "total_inactive_file").value_or(0);
      m["cache"] = stat_value(stat, "total_cache").value_or(0);
      if (auto failcnt = read_if_exists(dir + "/memory.failcnt")) m["failcnt"] = std::stoull(*failcnt);
      out["memory"] = m;
    }
    if (auto dir = path("cpuacct"); !dir.empty()) {
      nlohmann::json c;
      c["usage_ns"] = std::stoull(read(dir + "/cpuacct.usage"));
      if (auto v = read_if_exists(dir + "/cpuacct.usage_user")) c["user_ns"] = std::stoull(*v);
      if (auto v = read_if_exists(dir + "/cpuacct.usage_sys")) c["system_ns"] = std::stoull(*v);
      out["cpu"] = c;
    }
    if (auto dir = path("pids"); !dir.empty()) {
      nlohmann::json p;
      p["current"] = std::stoull(read(dir + "/pids.current"));
      auto max = read(dir + "/pids.max");
      p["limit"] = max == "max" ? nlohmann::json() : nlohmann::json(std::stoull(max));
      out["pids"] = p;
    }
    return out;
  }

 private:
  std::string require(const std::string& controller) const {
    auto p = path(controller);
    if (p.empty()) throw Error("cgroup v1 controller \"" + controller + "\" is not mounted under " + root_);
    return p;
  }

  std::string procs_folder() const {
    for (const char* c : {"pids", "freezer", "memory", "cpu"})
      if (auto p = path(c); !p.empty()) return p;
    return bases_.begin()->second + "/" + relative_;
  }

  void write_memory(const nlohmann::json& m) {
    if (m.is_null()) return;
    const auto dir = require("memory");
    auto limit = number(m, "limit");
    auto swap = number(m, "swap");
    if (auto r = number(m, "reservation")) write(dir + "/memory.soft_limit_in_bytes", limit_or_max(*r));
    const std::string memsw = dir + "/memory.memsw.limit_in_bytes";
    // memsw.limit (memory+swap) must stay >= limit at every step, so the order of the two
    // writes depends on whether the limit grows or shrinks.
    auto write_limit = [&] {
      if (limit) write(dir + "/memory.limit_in_bytes", limit_or_max(*limit));
    };
    auto write_swap = [&] {
      // Without swap accounting (swapaccount=0) there is no memsw file; Docker then ignores
      // the swap limit with a warning, and so do we.
      if (swap && exists(memsw)) write(memsw, limit_or_max(*swap));
    };
    try {
      write_limit();
      write_swap();
    } catch (const SystemError& e) {
      if (e.error_number() != EINVAL) throw;
      write_swap();
      write_limit();
    }
    if (auto s = number(m, "swappiness"); s && *s >= 0 && *s <= 100)
      write(dir + "/memory.swappiness", std::to_string(*s));
    if (m.value("disableOOMKiller", false)) write(dir + "/memory.oom_control", "1");
    if (auto k = number(m, "kernel"))
      write(need_file("memory", "memory.kmem.limit_in_bytes", "linux.resources.memory.kernel"), limit_or_max(*k));
    if (auto k = number(m, "kernelTCP"))
      write(need_file("memory", "memory.kmem.tcp.limit_in_bytes", "linux.resources.memory.kernelTCP"), limit_or_max(*k));
  }

  void write_cpu(const nlohmann::json& c) {
    if (c.is_null()) return;
    if (auto s = number(c, "shares"); s && *s > 0) write(require("cpu") + "/cpu.shares", std::to_string(*s));
    auto period = number(c, "period");
    auto quota = number(c, "quota");
    if (period && *period > 0) write(require("cpu") + "/cpu.cfs_period_us", std::to_string(*period));
    if (quota && *quota != 0) write(require("cpu") + "/cpu.cfs_quota_us", std::to_string(*quota));
    if (auto v = number(c, "realtimePeriod"); v && *v > 0)
      write(need_file("cpu", "cpu.rt_period_us", "linux.resources.cpu.realtimePeriod"), std::to_string(*v));
    if (auto v = number(c, "realtimeRuntime"); v && *v != 0)
      write(need_file("cpu", "cpu.rt_runtime_us", "linux.resources.cpu.realtimeRuntime"), std::to_string(*v));
    if (auto v = number(c, "idle"); v && *v != 0) throw Error("linux.resources.cpu.idle: needs cgroup v2; this host's cgroups are v1");
    if (auto cpus = string(c, "cpus")) write(require("cpuset") + "/cpuset.cpus", *cpus);
    if (auto mems = string(c, "mems")) write(require("cpuset") + "/cpuset.mems", *mems);
  }

  void write_pids(const nlohmann::json& p) {
    if (p.is_null()) return;
    if (auto l = number(p, "limit"))
      write(require("pids") + "/pids.max", *l <= 0 ? "max" : std::to_string(*l));
  }

  // A controller file that must exist for `field` to apply: refused by name when it does not.
  std::string need_file(const char* controller, const std::string& file, const std::string& field) const {
    const auto dir = path(controller);
    if (dir.empty()) throw Error(field + ": the " + controller + " cgroup controller is not mounted on this host");
    if (!exists(dir + "/" + file)) throw Error(field + ": this host's " + controller + " controller has no " + file);
    return dir + "/" + file;
  }

  void write_blkio(const nlohmann::json& b) {
    if (b.is_null()) return;
    const std::string f = "linux.resources.blockIO";
    if (auto w = number(b, "weight"); w && *w > 0) {
      // Kernels with the BFQ scheduler name the file differently.
      const auto dir = path("blkio");
      if (!dir.empty() && !exists(dir + "/blkio.weight") && exists(dir + "/blkio.bfq.weight"))
        write(dir + "/blkio.bfq.weight", std::to_string(*w));
      else
        write(need_file("blkio", "blkio.weight", f + ".weight"), std::to_string(*w));
    }
    if (auto w = number(b, "leafWeight"); w && *w > 0) write(need_file("blkio", "blkio.leaf_weight", f + ".leafWeight"), std::to_string(*w));
    auto device = [&](const nlohmann::json& d, const std::string& field) {
      auto major = number(d, "major"), minor = number(d, "minor");
      if (!major || !minor) throw Error(field + ": major and minor are required");
      return std::to_string(*major) + ":" + std::to_string(*minor);
    };
    if (auto wd = b.find("weightDevice"); wd != b.end() && wd->is_array())
      for (std::size_t i = 0; i < wd->size(); ++i) {
        const std::string field = f + ".weightDevice[" + std::to_string(i) + "]";
        const auto& d = (*wd)[i];
        if (auto w = number(d, "weight")) write(need_file("blkio", "blkio.weight_device", field + ".weight"), device(d, field) + " " + std::to_string(*w));
        if (auto w = number(d, "leafWeight"))
          write(need_file("blkio", "blkio.leaf_weight_device", field + ".leafWeight"), device(d, field) + " " + std::to_string(*w));
      }
    const std::pair<const char*, const char*> throttles[] = {{"throttleReadBpsDevice", "blkio.throttle.read_bps_device"},
                                                              {"throttleWriteBpsDevice", "blkio.throttle.write_bps_device"},
                                                              {"throttleReadIOPSDevice", "blkio.throttle.read_iops_device"},
                                                              {"throttleWriteIOPSDevice", "blkio.throttle.write_iops_device"}};
    for (const auto& [key, file] : throttles) {
      auto list = b.find(key);
      if (list == b.end() || !list->is_array()) continue;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string field = f + "." + key + "[" + std::to_string(i) + "]";
        auto rate = number((*list)[i], "rate");
        if (!rate || *rate < 0) throw Error(field + ".rate: is required (a number)");
        write(need_file("blkio", file, field), device((*list)[i], field) + " " + std::to_string(*rate));
      }
    }
  }

  void write_network(const nlohmann::json& n) {
    if (n.is_null()) return;
    if (auto id = number(n, "classID")) write(need_file("net_cls", "net_cls.classid", "linux.resources.network.classID"), std::to_string(*id));
    if (auto p = n.find("priorities"); p != n.end() && p->is_array())
      for (std::size_t i = 0; i < p->size(); ++i) {
        const std::string field = "linux.resources.network.priorities[" + std::to_string(i) + "]";
        auto name = string((*p)[i], "name");
        auto prio = number((*p)[i], "priority");
        if (!name || !prio) throw Error(field + ": name and priority are required");
        write(need_file("net_prio", "net_prio.ifpriomap", field), *name + " " + std::to_string(*prio));
      }
  }

  void write_hugepages(const nlohmann::json& h) {
    if (h.is_null()) return;
    if (!h.is_array()) throw Error("linux.resources.hugepageLimits must be an array");
    for (std::size_t i = 0; i < h.size(); ++i) {
      const std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
      auto size = string(h[i], "pageSize");
      auto limit = number(h[i], "limit");
      if (!size || !limit) throw Error(field + ": pageSize and limit are required");
      if (size->find('/') != std::string::npos || size->find("..") != std::string::npos) throw Error(field + ".pageSize: invalid");
      write(need_file("hugetlb", "hugetlb." + *size + ".limit_in_bytes", field), std::to_string(*limit));
    }
  }

  // The rules in order, each as one line to devices.allow or devices.deny.
  void write_devices(const nlohmann::json& rules) {
    if (rules.is_null()) return;
    if (!rules.is_array()) throw Error("linux.resources.devices must be an array");
    const auto dir = require("devices");
    for (const auto& r : rules) write(dir + (r.value("allow", false) ? "/devices.allow" : "/devices.deny"), device_rule(r));
  }

 public:
  static std::string device_rule(const nlohmann::json& r) {
    std::string type = r.value("type", std::string("a"));
    if (type.empty()) type = "a";
    if (type != "a" && type != "b" && type != "c") throw Error("linux.resources.devices: unknown device type \"" + type + "\"");
    auto num = [&](const char* k) {
      auto v = number(r, k);
      return !v || *v < 0 ? std::string("*") : std::to_string(*v);
    };
    std::string access = r.value("access", std::string("rwm"));
    if (access.empty()) access = "rwm";
    return type + " " + num("major") + ":" + num("minor") + " " + access;
  }

 private:
  std::string root_;
  std::string relative_;
  std::map<std::string, std::string> bases_;    // controller → hierarchy mount
  std::map<std::string, std::string> aliases_;  // co-mounted name → controller in bases_
};

}  // namespace

std::unique_ptr<Cgroup> make_v1(const std::string& root, const std::string& relative, bool create) {
  auto cg = std::make_unique<CgroupV1>(root, relative);
  if (create) {
    cg->make();
  } else if (!cg->exists_anywhere()) {
    throw Error("cgroup " + relative + " does not exist under " + root);
  }
  return cg;
}

}  // namespace mycompose::runtime::cgroupfs
