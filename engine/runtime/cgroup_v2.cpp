// cgroup v2 (unified hierarchy): one folder, one writer per controller. Device rules are a
// BPF program (cgroup_v2_devices.cpp).
#include <signal.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "cgroup_files.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::runtime::cgroupfs {
namespace {

// The controllers we write to; only those a level offers in cgroup.controllers get enabled.
constexpr const char* kWanted[] = {"cpu", "cpuset", "memory", "pids", "io", "hugetlb"};

std::string max_or(std::int64_t v) { return v < 0 ? "max" : std::to_string(v); }

// cpu.shares (2..262144) → cpu.weight (1..10000), the conversion runc and crun use.
std::uint64_t shares_to_weight(std::uint64_t shares) {
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

class CgroupV2 final : public Cgroup {
 public:
  CgroupV2(std::string root, std::string relative) : root_(std::move(root)), relative_(std::move(relative)), dir_(root_ + "/" + relative_) {}

  void make() {
    make_levels(root_, relative_);
    // Every ancestor must delegate the controllers to its children (subtree_control).
    std::string cur = root_;
    std::istringstream in(relative_);
    std::string part;
    std::vector<std::string> levels;
    while (std::getline(in, part, '/')) levels.push_back(part);
    for (std::size_t i = 0; i < levels.size(); ++i) {
      enable_controllers(cur);
      cur += "/" + levels[i];
    }
  }

  std::string path(const std::string&) const override { return dir_; }

  void update(const nlohmann::json& r) override {
    if (r.is_null()) return;
    if (!r.is_object()) throw Error("linux.resources must be an object");
    if (r.contains("memory")) write_memory(r["memory"]);
    if (r.contains("cpu")) write_cpu(r["cpu"]);
    if (r.contains("pids")) write_pids(r["pids"]);
    if (r.contains("blockIO")) write_io(r["blockIO"]);
    if (r.contains("devices")) attach_device_rules(dir_, r["devices"]);
    if (r.contains("hugepageLimits")) write_hugepages(r["hugepageLimits"]);
    if (r.contains("unified")) write_unified(r["unified"]);
    // v2 has no net_cls/net_prio: refused, never dropped (as runc does).
    if (auto n = r.find("network"); n != r.end() && !n->is_null() && !n->empty())
      throw Error("linux.resources.network: net_cls and net_prio do not exist on cgroup v2");
  }

  void write_hugepages(const nlohmann::json& h) {
    if (h.is_null()) return;
    if (!h.is_array()) throw Error("linux.resources.hugepageLimits must be an array");
    for (std::size_t i = 0; i < h.size(); ++i) {
      const std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
      auto size = string(h[i], "pageSize");
      auto limit = number(h[i], "limit");
      if (!size || !limit) throw Error(field + ": pageSize and limit are required");
      const std::string file = dir_ + "/hugetlb." + *size + ".max";
      if (size->find('/') != std::string::npos || !exists(file)) throw Error(field + ": this host's cgroup has no hugetlb." + *size + ".max");
      write(file, max_or(*limit));
    }
  }

  // linux.resources.unified: each key an interface file of the container's folder.
  void write_unified(const nlohmann::json& u) {
    if (u.is_null()) return;
    if (!u.is_object()) throw Error("linux.resources.unified must be an object of strings");
    for (const auto& [key, value] : u.items()) {
      const std::string field = "linux.resources.unified." + key;
      if (!value.is_string()) throw Error(field + " must be a string");
      if (key.empty() || key.find('/') != std::string::npos || key.find('.') == std::string::npos || key[0] == '.')
        throw Error(field + ": not a cgroup interface file name");
      if (!exists(dir_ + "/" + key)) throw Error(field + ": this host's cgroup has no such file");
      write(dir_ + "/" + key, value.get<std::string>());
    }
  }

  void add_process(pid_t pid) override { write(dir_ + "/cgroup.procs", std::to_string(pid)); }

  void freeze(bool frozen) override {
    write(dir_ + "/cgroup.freeze", frozen ? "1" : "0");
    if (!frozen) return;
    const std::string events = dir_ + "/cgroup.events";
    for (int i = 0; i < 2000; ++i) {
      if (stat_value(read(events), "frozen").value_or(0) == 1) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    write(dir_ + "/cgroup.freeze", "0");
    throw Error("timed out waiting for " + events + " to report frozen 1");
  }

  std::vector<pid_t> pids() override { return read_pids(dir_ + "/cgroup.procs"); }

  void kill_all(int sig) override {
    // cgroup.kill (Linux 5.14) kills atomically, forks included.
    if (sig == SIGKILL && exists(dir_ + "/cgroup.kill")) {
      write(dir_ + "/cgroup.kill", "1");
      return;
    }
    freeze(true);
    for (pid_t p : pids()) ::kill(p, sig);
    write(dir_ + "/cgroup.freeze", "0");
  }

  void destroy() override { remove_levels(root_, relative_); }

  nlohmann::json stats() override {
    nlohmann::json out = nlohmann::json::object();
    if (auto cur = read_if_exists(dir_ + "/memory.current")) {
      nlohmann::json m;
      m["usage"] = std::stoull(*cur);
      if (auto peak = read_if_exists(dir_ + "/memory.peak")) m["max_usage"] = std::stoull(*peak);
      auto max = read(dir_ + "/memory.max");
      m["limit"] = max == "max" ? nlohmann::json() : nlohmann::json(std::stoull(max));
      auto stat = read_if_exists(dir_ + "/memory.stat").value_or("");
      m["inactive_file"] = stat_value(stat, "inactive_file").value_or(0);
      m["cache"] = stat_value(stat, "file").value_or(0);
      if (auto ev = read_if_exists(dir_ + "/memory.events")) m["oom_kill"] = stat_value(*ev, "oom_kill").value_or(0);
      out["memory"] = m;
    }
    if (auto stat = read_if_exists(dir_ + "/cpu.stat")) {
      nlohmann::json c;
      c["usage_ns"] = stat_value(*stat, "usage_usec").value_or(0) * 1000;
      c["user_ns"] = stat_value(*stat, "user_usec").value_or(0) * 1000;
      c["system_ns"] = stat_value(*stat, "system_usec").value_or(0) * 1000;
      out["cpu"] = c;
    }
    if (auto cur = read_if_exists(dir_ + "/pids.current")) {
      nlohmann::json p;
      p["current"] = std::stoull(*cur);
      auto max = read(dir_ + "/pids.max");
      p["limit"] = max == "max" ? nlohmann::json() : nlohmann::json(std::stoull(max));
      out["pids"] = p;
    }
    return out;
  }

 private:
  void enable_controllers(const std::string& dir) {
    std::istringstream avail(read_if_exists(dir + "/cgroup.controllers").value_or(""));
    const std::string enabled = " " + read_if_exists(dir + "/cgroup.subtree_control").value_or("") + " ";
    std::string c;
    while (avail >> c) {
      bool wanted = false;
      for (const char* w : kWanted) wanted |= c == w;
      if (!wanted || enabled.find(" " + c + " ") != std::string::npos) continue;
      write(dir + "/cgroup.subtree_control", "+" + c);
    }
  }

  void write_memory(const nlohmann::json& m) {
    if (m.is_null()) return;
    auto limit = number(m, "limit");
    auto swap = number(m, "swap");
    if (auto r = number(m, "reservation")) write(dir_ + "/memory.low", max_or(*r));
    if (limit) write(dir_ + "/memory.max", max_or(*limit));
    // OCI swap is memory+swap (the v1 memsw meaning); v2's memory.swap.max is swap alone.
    if (swap) {
      std::string value;
      if (*swap < 0) value = "max";
      else if (!limit || *limit < 0) throw Error("linux.resources.memory: swap " + std::to_string(*swap) + " needs a memory limit");
      else if (*swap < *limit) throw Error("linux.resources.memory: swap (memory+swap) " + std::to_string(*swap) + " is below the memory limit " + std::to_string(*limit));
      else value = std::to_string(*swap - *limit);
      write(dir_ + "/memory.swap.max", value);
    }
    // disableOOMKiller has no v2 equivalent (memory.oom.group is something else); like runc we
    // ignore it there.
  }

  void write_cpu(const nlohmann::json& c) {
    if (c.is_null()) return;
    if (auto s = number(c, "shares"); s && *s > 0) write(dir_ + "/cpu.weight", std::to_string(shares_to_weight(static_cast<std::uint64_t>(*s))));
    auto period = number(c, "period");
    auto quota = number(c, "quota");
    if ((period && *period > 0) || (quota && *quota != 0)) {
      std::string q = quota && *quota > 0 ? std::to_string(*quota) : "max";
      std::string p = period && *period > 0 ? std::to_string(*period) : "100000";
      write(dir_ + "/cpu.max", q + " " + p);
    }
    if (auto cpus = string(c, "cpus")) write(dir_ + "/cpuset.cpus", *cpus);
    if (auto mems = string(c, "mems")) write(dir_ + "/cpuset.mems", *mems);
  }

  void write_pids(const nlohmann::json& p) {
    if (p.is_null()) return;
    if (auto l = number(p, "limit")) write(dir_ + "/pids.max", *l <= 0 ? "max" : std::to_string(*l));
  }

  void write_io(const nlohmann::json& b) {
    if (b.is_null()) return;
    // blkio weight 10..1000 → io.weight 1..10000, as runc converts it.
    if (auto w = number(b, "weight"); w && *w > 0) write(dir_ + "/io.weight", "default " + std::to_string(1 + (*w - 10) * 9999 / 990));
  }

  std::string root_;
  std::string relative_;
  std::string dir_;
};

}  // namespace

std::unique_ptr<Cgroup> make_v2(const std::string& root, const std::string& relative, bool create) {
  auto cg = std::make_unique<CgroupV2>(root, relative);
  if (create) cg->make();
  else if (!exists(cg->path("") + "/cgroup.procs")) throw Error("cgroup " + relative + " does not exist under " + root);
  return cg;
}

}  // namespace mycompose::runtime::cgroupfs
