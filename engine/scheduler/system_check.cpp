#include "mycompose/scheduler/system_check.hpp"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/net/bridge.hpp"
#include "mycompose/net/nat.hpp"
#include "mycompose/net/network_manager.hpp"
#include "system_check_temps.hpp"
#include "system_check_state.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

stdfs::path canonical_root(const stdfs::path& root) {
  std::error_code ec;
  auto p = stdfs::weakly_canonical(stdfs::absolute(root), ec);
  if (ec) p = stdfs::absolute(root).lexically_normal();
  if (!p.has_filename() && p != p.root_path()) p = p.parent_path();
  return p;
}

bool under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mount_path(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct MountEntry {
  std::string point;
  std::string fstype;
};

std::vector<MountEntry> mounts() {
  std::vector<MountEntry> out;
  std::istringstream in(fs::read_file("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, mroot, point, word;
    f >> id >> parent >> dev >> mroot >> point;
    while (f >> word && word != "-") {
    }
    std::string fstype;
    f >> fstype;
    out.push_back({unescape_mount_path(point), fstype});
  }
  return out;
}

// The live state of a root, read once.
struct LiveState {
  stdfs::path root;
  std::set<std::string> records;                 // containers with container.json
  std::map<std::string, json> runtime_states;    // runtime/<id>/state.json
  std::vector<net::NetworkRecord> networks;
  std::optional<net::NetworkRecord> build_network;  // RUN steps' bridge, while builds run
  bool networks_readable = true;

  bool container_exists(const std::string& id) const { return records.count(id) || runtime_states.count(id); }
};

LiveState read_live_state(const stdfs::path& root, const state_check::Containers& containers) {
  LiveState s;
  s.root = root;
  s.records = containers.known;
  // A runtime folder without a state: what it holds is found by the checks below (cgroups
  // by id are then leaks).
  s.runtime_states = containers.runtime;
  if (stdfs::is_directory(root / "networks")) {
    net::NetworkManager nm(root);
    s.networks = nm.list();
    s.build_network = nm.build_network();
  }
  return s;
}

// The runtime names container cgroups "/mycompose-<8 hex of sha256(runtime root)>/<id>"
// from the root string it was given; a root reached by several spellings (relative,
// through a symlink) gives several hashes, so every spelling we can see counts.
std::set<std::string> cgroup_parents(const LiveState& s, const stdfs::path& given_root) {
  std::set<std::string> out;
  for (const stdfs::path& r : {given_root, stdfs::absolute(given_root), stdfs::absolute(given_root).lexically_normal(), s.root})
    out.insert("mycompose-" + sha256_hex((r / "runtime").string()).substr(0, 8));
  for (const auto& [id, st] : s.runtime_states) {
    std::string p = st.value("mycompose", json::object()).value("cgroupsPath", "");
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    auto slash = p.find('/');
    if (slash != std::string::npos) out.insert(p.substr(0, slash));
  }
  return out;
}

std::string comm_of(pid_t pid) {
  try {
    std::string c = fs::read_file("/proc/" + std::to_string(pid) + "/comm", 256);
    while (!c.empty() && c.back() == '\n') c.pop_back();
    return c;
  } catch (const std::exception&) {
    return "?";
  }
}

std::vector<pid_t> procs_of(const std::string& cgroup_dir) {
  std::vector<pid_t> out;
  std::ifstream in(cgroup_dir + "/cgroup.procs");
  pid_t p;
  while (in >> p) out.push_back(p);
  return out;
}

void find_cgroup_leaks(const LiveState& s, const stdfs::path& given_root, std::vector<Leak>& out) {
  const auto parents = cgroup_parents(s, given_root);
  std::map<std::string, Leak> by_id;
  std::set<pid_t> pids;
  for (const auto& m : mounts()) {
    if (m.fstype != "cgroup" && m.fstype != "cgroup2") continue;
    for (const auto& parent : parents) {
      std::error_code ec;
      for (const auto& e : stdfs::directory_iterator(stdfs::path(m.point) / parent, ec)) {
        if (!e.is_directory()) continue;
        const std::string id = e.path().filename().string();
        if (s.runtime_states.count(id)) continue;
        Leak& l = by_id[parent + "/" + id];
        l.kind = "cgroup";
        l.object = parent + "/" + id;
        l.container_id = id;
        l.paths.push_back(e.path().string());
        for (pid_t p : procs_of(e.path().string())) pids.insert(p);
      }
    }
  }
  for (auto& [key, l] : by_id) {
    std::string where;
    for (const auto& p : l.paths) where += (where.empty() ? "" : ", ") + p;
    l.how = "container " + l.container_id + " has no runtime state (" + (s.root / "runtime" / l.container_id).string() +
            "); found at " + where;
    out.push_back(l);
  }
  for (pid_t p : pids) {
    Leak l;
    l.kind = "process";
    l.pid = p;
    l.object = std::to_string(p) + " (" + comm_of(p) + ")";
    l.how = "runs in the cgroup of a container that does not exist";
    out.push_back(l);
  }
}

void find_mount_leaks(const LiveState& s, const std::string& link_prefix, std::vector<Leak>& out) {
  const std::string root = s.root.string();
  std::set<std::string> allowed;
  for (const auto& id : s.records) allowed.insert((s.root / "containers" / id / "rootfs").string());
  for (const auto& [id, st] : s.runtime_states)
    if (s.records.count(id)) allowed.insert(st.value("mycompose", json::object()).value("rootfs", ""));
  const std::string run_netns = "/run/netns/" + link_prefix;
  for (const auto& m : mounts()) {
    const bool ours = under(m.point, root) || (m.fstype == "nsfs" && m.point.rfind(run_netns, 0) == 0);
    if (!ours || allowed.count(m.point)) continue;
    Leak l;
    l.kind = m.fstype == "nsfs" ? "netns" : "mount";
    l.object = m.point;
    l.paths = {m.point};
    const stdfs::path rel = stdfs::path(m.point).lexically_relative(s.root);
    auto it = rel.begin();
    if (m.fstype == "nsfs") {
      l.how = "a network namespace bind mount no container holds";
    } else if (rel.begin() != rel.end() && *it == "containers" && ++it != rel.end()) {
      l.how = m.fstype + " mount of container " + it->string() + ", which has no record (" +
              (s.root / "containers" / it->string() / "container.json").string() + ")";
    } else {
      l.how = m.fstype + " mount under the root that no container accounts for";
    }
    out.push_back(l);
  }
}

// The build network is live while a step's namespace is: the kernel deletes a step's veth
// with it, so a recorded step without its veth belongs to a builder that was killed.
void find_build_network_leaks(const LiveState& s, net::NetlinkSocket& nl, std::set<std::string>& bridges,
                              std::set<std::string>& veths, std::vector<Leak>& out) {
  if (!s.build_network) return;
  const auto& b = *s.build_network;
  bridges.insert(b.bridge);
  std::size_t live = 0;
  for (const auto& [step, ep] : b.endpoints) {
    if (nl.ifindex(ep.host_veth) != 0) {
      veths.insert(ep.host_veth);
      ++live;
      continue;
    }
    out.push_back({"build-step", b.name + "/" + step,
                   "the build network records RUN step " + step + " (" + ep.ip + "), whose namespace is gone (its builder was killed)",
                   {}, 0, b.name, step});
  }
  for (const auto& [pid, started] : b.holders) live += net::build_holder_alive(pid, started);
  if (live == 0)
    out.push_back({"build-network", b.name + " (" + b.bridge + ")",
                   "the build network with no RUN step running and no builder holding it (its builder was killed)", {},
                   0, b.name, ""});
}

// Accept rules of this root in the host's iptables FORWARD chain (hosts that run Docker; see
// net/nat/host_filter.cpp): one for a bridge that no recorded network has is a leak. The fix
// is the one of the nft table (reconcile rewrites both, deleting the table deletes both).
void find_host_filter_leaks(const net::HostNames& names, const std::set<std::string>& bridges, std::vector<Leak>& out) {
  for (const auto& r : net::host_filter_rules(names.nft_table())) {
    if (bridges.count(r.bridge)) continue;
    out.push_back({"nft", "table ip filter chain " + r.chain + " handle " + std::to_string(r.handle),
                   "an accept rule (" + r.direction + " \"" + r.bridge + "\", comment \"" + names.nft_table() +
                       "\") for a bridge that no network of this root has",
                   {}, 0, "", ""});
  }
}

void find_network_leaks(const LiveState& s, const net::HostNames& names, std::vector<Leak>& out) {
  std::set<std::string> bridges, veths;
  net::NetlinkSocket nl;
  find_build_network_leaks(s, nl, bridges, veths, out);
  for (const auto& n : s.networks) {
    bridges.insert(n.bridge);
    for (const auto& [cid, ep] : n.endpoints) {
      veths.insert(ep.host_veth);
      if (!s.container_exists(cid)) {
        Leak l;
        l.kind = "endpoint";
        l.object = n.name + "/" + cid.substr(0, 12);
        l.network = n.name;
        l.container_id = cid;
        l.how = "network " + n.name + " records an endpoint (" + ep.host_veth + ", " + ep.ip +
                ") of container " + cid + ", which does not exist";
        out.push_back(l);
      }
    }
  }
  const std::string prefix = names.link_prefix();
  for (const auto& link : net::links_with_prefix(nl, prefix)) {
    const char type = link.size() > prefix.size() ? link[prefix.size()] : '?';
    Leak l;
    l.object = link;
    if (type == 'b' && !bridges.count(link)) {
      l.kind = "bridge";
      l.how = "a bridge of this root that no network in " + (s.root / "networks").string() + " names";
    } else if (type == 'v' && !veths.count(link)) {
      l.kind = "veth";
      l.how = "a host veth of this root that no network endpoint names";
    } else if (type != 'b' && type != 'v') {
      l.kind = "link";
      l.how = "a link with this root's prefix " + prefix;
    } else {
      continue;
    }
    out.push_back(l);
  }
  find_host_filter_leaks(names, bridges, out);
  const std::string table = names.nft_table();
  auto tables = net::nat_tables();
  if (std::find(tables.begin(), tables.end(), table) == tables.end()) return;
  if (s.networks.empty() && !s.build_network) {
    out.push_back({"nft", "table ip " + table, "the table exists but no network is recorded", {}, 0, "", ""});
    return;
  }
  // Rules name bridges in quotes; a bridge of this root that no network has is a gone one.
  const std::string listing = net::nat_table_listing(table);
  std::set<std::string> stale;
  for (std::size_t at = listing.find("\"" + prefix + "b"); at != std::string::npos;
       at = listing.find("\"" + prefix + "b", at + 1)) {
    auto end = listing.find('"', at + 1);
    std::string bridge = listing.substr(at + 1, end - at - 1);
    if (!bridges.count(bridge)) stale.insert(bridge);
  }
  for (const auto& b : stale)
    out.push_back({"nft", "table ip " + table, "rules for bridge " + b + ", whose network is gone", {}, 0, "", ""});
}

void find_engine_leak(const stdfs::path& root, std::vector<Leak>& out) {
  const stdfs::path sock = root / daemon::kSocketFile;
  std::error_code ec;
  if (!stdfs::exists(sock, ec) || running_engine(root)) return;
  out.push_back({"engine", sock.string(), "the socket of an engine that is gone (no process holds " +
                                              (root / daemon::kPidFile).string() + ")",
                 {sock.string()}, 0, "", ""});
}

// --- fixes ---

bool wait_until(const std::function<bool()>& done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

void fix_cgroup(const Leak& l) {
  for (const auto& dir : l.paths) {
    // Kill everything in the folder, nested ones included, then remove deepest first.
    std::vector<std::string> dirs{dir};
    std::error_code ec;
    for (const auto& e : stdfs::recursive_directory_iterator(dir, ec))
      if (e.is_directory()) dirs.push_back(e.path().string());
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& d : dirs) {
      for (pid_t p : procs_of(d)) ::kill(p, SIGKILL);
      // A frozen (v1 freezer) cgroup must thaw for SIGKILL to take effect.
      if (stdfs::exists(d + "/freezer.state")) {
        std::ofstream f(d + "/freezer.state");
        f << "THAWED";
      }
      if (stdfs::exists(d + "/cgroup.freeze")) {
        std::ofstream f(d + "/cgroup.freeze");
        f << "0";
      }
      wait_until([&] { return procs_of(d).empty(); });
      if (::rmdir(d.c_str()) != 0 && errno != ENOENT) throw SystemError("rmdir " + d, errno);
    }
    // The root's parent folder goes when its last container does (as the runtime does).
    ::rmdir(stdfs::path(dir).parent_path().c_str());
  }
}

void fix_one(const stdfs::path& root, const net::HostNames& names, const Leak& l) {
  if (l.kind == "process") {
    if (::kill(l.pid, SIGKILL) != 0 && errno != ESRCH) throw SystemError("kill " + std::to_string(l.pid), errno);
  } else if (l.kind == "cgroup") {
    fix_cgroup(l);
  } else if (l.kind == "endpoint") {
    net::NetworkManager(root).disconnect(l.network, l.container_id);
  } else if (l.kind == "build-step" || l.kind == "build-network") {
    net::NetworkManager(root).prune_build_network();  // keeps what running steps use
  } else if (l.kind == "bridge" || l.kind == "veth" || l.kind == "link") {
    net::NetlinkSocket nl;
    net::delete_link(nl, l.object);
  } else if (l.kind == "nft") {
    net::NetworkManager nm(root);
    // reconcile() rewrites the table from the records; with none it is deleted.
    if (nm.list().empty())
      net::delete_nat_table(names.nft_table());
    else
      nm.reconcile();
  } else if (l.kind == "mount" || l.kind == "netns") {
    if (::umount2(l.object.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      throw SystemError("umount " + l.object, errno);
    if (l.kind == "netns" && !under(l.object, canonical_root(root).string())) ::unlink(l.object.c_str());
  } else if (l.kind == "folder" || l.kind == "temp") {
    // Never delete through a mount point (a leftover bind could be a host folder).
    for (const auto& m : mounts())
      if (under(m.point, l.object) && m.point != l.object + "/rootfs") throw Error(m.point + " is still mounted");
    state_check::fix(root, l);
  } else if (state_check::fix(root, l)) {
  } else if (l.kind == "engine") {
    std::error_code ec;
    stdfs::remove(l.object, ec);
    if (ec) throw SystemError("remove " + l.object, ec.value());
  }
}

int fix_order(const std::string& kind) {
  // Repairs first (a rebuilt record makes its container live again), removals of state last.
  static const std::vector<std::string> order{"corrupt", "record", "process", "cgroup", "endpoint", "build-step", "build-network",
                                              "veth",    "link",   "bridge",   "nft",    "netns",    "mount",      "runtime",
                                              "folder",  "temp",   "engine"};
  return static_cast<int>(std::find(order.begin(), order.end(), kind) - order.begin());
}

}  // namespace

std::optional<pid_t> running_engine(const stdfs::path& root) {
  struct stat st;
  if (::stat((root / daemon::kPidFile).c_str(), &st) != 0) return std::nullopt;
  // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (maj:min in hex, inode in decimal).
  std::istringstream in(fs::read_file("/proc/locks"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string n, type, advisory, mode, pid, dev;
    f >> n >> type;
    if (type == "->") f >> type;  // a waiter
    f >> advisory >> mode >> pid >> dev;
    if (type != "FLOCK") continue;
    unsigned maj = 0, min = 0;
    unsigned long long ino = 0;
    if (std::sscanf(dev.c_str(), "%x:%x:%llu", &maj, &min, &ino) != 3) continue;
    if (ino == st.st_ino && maj == major(st.st_dev) && min == minor(st.st_dev) && pid != "-1")
      return static_cast<pid_t>(std::stol(pid));
  }
  return std::nullopt;
}

std::vector<Leak> find_leaks(const stdfs::path& given_root) {
  std::vector<Leak> out;
  const stdfs::path root = canonical_root(given_root);
  if (!stdfs::exists(root)) return out;
  const auto containers = state_check::read_containers(root);
  const LiveState s = read_live_state(root, containers);
  const net::HostNames names(root);
  find_mount_leaks(s, names.link_prefix(), out);
  find_cgroup_leaks(s, given_root, out);
  find_network_leaks(s, names, out);
  find_temp_leaks(root, out);
  state_check::find_container_leaks(root, containers, out);
  state_check::find_state_file_leaks(root, out);
  find_engine_leak(root, out);
  return out;
}

std::vector<Leak> fix_leaks(const stdfs::path& given_root, const std::vector<Leak>& leaks) {
  const stdfs::path root = canonical_root(given_root);
  const net::HostNames names(root);
  std::vector<Leak> sorted = leaks, failed;
  // By kind; mounts nested deeper before the mounts they sit on.
  std::stable_sort(sorted.begin(), sorted.end(), [](const Leak& a, const Leak& b) {
    const int ka = fix_order(a.kind), kb = fix_order(b.kind);
    if (ka != kb) return ka < kb;
    return (a.kind == "mount" || a.kind == "netns") && a.object.size() > b.object.size();
  });
  bool nft_done = false;
  for (const auto& l : sorted) {
    if (l.kind == "nft" && nft_done) continue;
    try {
      fix_one(root, names, l);
      if (l.kind == "nft") nft_done = true;
    } catch (const std::exception& e) {
      Leak f = l;
      f.how += " — not removed: " + std::string(e.what());
      failed.push_back(f);
    }
  }
  return failed;
}

std::string describe(const Leak& l) { return l.kind + " " + l.object + ": " + l.how; }

}  // namespace mycompose::scheduler
