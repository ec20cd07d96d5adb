#include "lifecycle_info.hpp"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <tuple>

#include "exposed_ports.hpp"
#include "lifecycle_status.hpp"
#include "port_display.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/runtime/cgroup.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

// An empty file is no record: the runtime makes `exit` empty at create, the init fills it.
std::optional<double> mtime_of(const stdfs::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0 || st.st_size == 0) return std::nullopt;
  return static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
}

std::string read_or_empty(const stdfs::path& p) {
  try {
    return fs::read_file(p);
  } catch (const std::exception&) {
    return "";
  }
}

std::string command_of(const ContainerStore& store, const std::string& id) {
  try {
    json spec = json::parse(fs::read_file(store.folder(id) / "config.json"));
    std::string cmd;
    for (const auto& a : spec.at("process").value("args", json::array())) cmd += (cmd.empty() ? "" : " ") + a.get<std::string>();
    return cmd;
  } catch (const std::exception&) {
    return "";
  }
}

std::vector<std::string> mounts_of(const ContainerStore& store, const std::string& id, int& local_volumes) {
  std::vector<std::string> out;
  local_volumes = 0;
  try {
    json spec = json::parse(fs::read_file(store.folder(id) / "config.json"));
    const stdfs::path volumes = store.folder(id).parent_path().parent_path() / "volumes";
    for (const auto& m : spec.value("mounts", json::array())) {
      const stdfs::path source = m.value("source", "");
      if (source.filename() == "_data" && source.parent_path().parent_path() == volumes) {
        out.push_back(source.parent_path().filename().string());
        ++local_volumes;
      } else if (m.value("type", "") == "bind" && source.string().rfind(store.folder(id).string(), 0) != 0) {
        out.push_back(source.string());
      }
    }
  } catch (const std::exception&) {
  }
  return out;
}

// containers/<id>/health.json, written by the health module: {"Status": "healthy", …}.
std::string health_of(const ContainerStore& store, const std::string& id) {
  try {
    return json::parse(fs::read_file(store.folder(id) / "health.json")).value("Status", "");
  } catch (const std::exception&) {
    return "";
  }
}

struct Published {
  std::string host_ip;
  int host_port = 0;
  int container_port = 0;
  std::string protocol = "tcp";
};

std::vector<Published> ports_of(const ContainerStore& store, const ContainerRecord& rec, const std::vector<net::NetworkRecord>& nets) {
  std::vector<Published> out;
  for (const auto& n : nets) {
    auto ep = n.endpoints.find(rec.id);
    if (ep == n.endpoints.end()) continue;
    for (const auto& p : ep->second.ports) out.push_back({p.host_ip.empty() ? "0.0.0.0" : p.host_ip, p.host_port, p.container_port, p.protocol});
  }
  // A record may carry its published ports itself ({"ports": [{host_ip, host_port, container_port, protocol}]}).
  try {
    json j = json::parse(fs::read_file(store.folder(rec.id) / "container.json"));
    for (const auto& p : j.value("ports", json::array())) {
      Published x{p.value("host_ip", "0.0.0.0"), p.value("host_port", 0), p.value("container_port", 0), p.value("protocol", "tcp")};
      if (x.host_ip.empty()) x.host_ip = "0.0.0.0";
      out.push_back(x);
    }
  } catch (const std::exception&) {
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.container_port, a.protocol, a.host_ip, a.host_port) < std::tie(b.container_port, b.protocol, b.host_ip, b.host_port);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) {
                          return a.container_port == b.container_port && a.protocol == b.protocol && a.host_ip == b.host_ip &&
                                 a.host_port == b.host_port;
                        }),
            out.end());
  return out;
}

std::string cgroups_path_of(ContainerStore& store, const std::string& id) {
  json st = json::parse(fs::read_file(store.runtime().root() / id / "state.json"));
  return st.at("mycompose").at("cgroupsPath").get<std::string>();
}

long clock_ticks() {
  static const long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? hz : 100;
}

double boot_time() {
  std::istringstream in(read_or_empty("/proc/stat"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return 0;
}

double uptime() {
  std::istringstream in(read_or_empty("/proc/uptime"));
  double u = 0;
  in >> u;
  return u;
}

std::string user_name(unsigned uid) {
  passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
  return std::to_string(uid);
}

std::string clock_time(unsigned long long seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return buf;
}

// One row of `ps -ef` for a process; empty if it is gone.
std::vector<std::string> process_row(pid_t pid, double btime, double up) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string stat = read_or_empty(proc + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  const std::string comm = stat.substr(stat.find('(') + 1, close - stat.find('(') - 1);
  std::istringstream f(stat.substr(close + 2));
  std::vector<std::string> fields;  // from field 3 (state) on
  for (std::string x; f >> x;) fields.push_back(x);
  if (fields.size() < 20) return {};
  const std::string ppid = fields[1];
  const unsigned long long tty = std::stoull(fields[4]), utime = std::stoull(fields[11]), stime = std::stoull(fields[12]),
                           start = std::stoull(fields[19]);
  const long hz = clock_ticks();
  unsigned uid = 0;
  std::istringstream status(read_or_empty(proc + "/status"));
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Uid:", 0) == 0) {
      std::istringstream u(line.substr(4));
      unsigned real = 0;
      u >> real >> uid;
    }
  std::string cmd = read_or_empty(proc + "/cmdline");
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  if (cmd.empty()) cmd = "[" + comm + "]";
  const double cpu_seconds = static_cast<double>(utime + stime) / hz;
  const double elapsed = up - static_cast<double>(start) / hz;
  const int c = elapsed > 0 ? static_cast<int>(cpu_seconds * 100 / elapsed) : 0;
  const time_t started = static_cast<time_t>(btime + static_cast<double>(start) / hz), now = ::time(nullptr);
  tm s, n;
  ::localtime_r(&started, &s);
  ::localtime_r(&now, &n);
  char stime_buf[16];
  std::strftime(stime_buf, sizeof stime_buf, s.tm_yday == n.tm_yday && s.tm_year == n.tm_year ? "%H:%M" : "%b%d", &s);
  std::string tty_name = "?";
  if (tty != 0) {
    const unsigned major = ::major(tty), minor = ::minor(tty);
    tty_name = major >= 136 && major <= 143 ? "pts/" + std::to_string((major - 136) * 256 + minor) : "tty" + std::to_string(minor);
  }
  return {user_name(uid), std::to_string(pid), ppid, std::to_string(c), stime_buf, tty_name, clock_time(static_cast<unsigned long long>(cpu_seconds)), cmd};
}

unsigned long long to_ull(const json& j) { return j.is_number() ? j.get<unsigned long long>() : 0; }

unsigned long long mem_total() {
  std::istringstream in(read_or_empty("/proc/meminfo"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("MemTotal:", 0) == 0) return std::stoull(line.substr(9)) * 1024;
  return 0;
}

unsigned long long system_cpu_ns() {
  std::istringstream in(read_or_empty("/proc/stat"));
  std::string cpu;
  in >> cpu;
  unsigned long long total = 0, v;
  for (int i = 0; i < 8 && (in >> v); ++i) total += v;
  return total * (1'000'000'000ULL / static_cast<unsigned long long>(clock_ticks()));
}

// Read and written bytes from the blkio (v1) or io (v2) controller.
std::pair<unsigned long long, unsigned long long> block_io(runtime::Cgroup& cg) {
  unsigned long long rd = 0, wr = 0;
  if (runtime::detect_cgroup_mode() == runtime::CgroupMode::V2) {
    std::istringstream in(read_or_empty(cg.path("") + "/io.stat"));
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string dev, kv;
      f >> dev;
      while (f >> kv) {
        if (kv.rfind("rbytes=", 0) == 0) rd += std::stoull(kv.substr(7));
        if (kv.rfind("wbytes=", 0) == 0) wr += std::stoull(kv.substr(7));
      }
    }
    return {rd, wr};
  }
  std::string dir;
  try {
    dir = cg.path("blkio");
  } catch (const std::exception&) {
    return {0, 0};
  }
  std::istringstream in(read_or_empty(dir + "/blkio.throttle.io_service_bytes"));
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string dev, op;
    unsigned long long n = 0;
    if (!(f >> dev >> op >> n)) continue;
    if (op == "Read") rd += n;
    if (op == "Write") wr += n;
  }
  return {rd, wr};
}

}  // namespace

json container_summary(const ContainerStore& store, const ContainerRecord& rec, const SummaryContext& ctx) {
  runtime::ContainerState st;
  try {
    st = store.state(rec.id);
  } catch (const std::exception&) {
    st.status = "stopped";
  }
  const stdfs::path rt = store.folder(rec.id).parent_path().parent_path() / "runtime" / rec.id;
  StatusInput in;
  in.state = st.status == "stopped" ? "exited" : st.status;
  in.exit_code = st.exit_code;
  // Our init records the application's exit; only SIGKILL (which it cannot forward) ends it
  // without a record — what Docker reports as 137.
  if (in.state == "exited" && !in.exit_code) in.exit_code = 128 + SIGKILL;
  if (ctx.supervisor_status == "restarting" && in.state == "exited") {
    in.state = "restarting";
    if (ctx.supervisor_exit_code) in.exit_code = ctx.supervisor_exit_code;
  }
  // The runtime rewrites state.json when it starts (or pauses) the container, and the init
  // writes into `exit` when the application ends.
  if (auto started = mtime_of(rt / "state.json")) in.since_start = ctx.now - *started;
  if (auto finished = mtime_of(rt / "exit")) in.since_finish = ctx.now - *finished;
  in.health = in.state == "running" ? health_of(store, rec.id) : "";
  const auto created_ns = parse_rfc3339(rec.created);
  const double created = created_ns ? static_cast<double>(*created_ns) / 1e9 : ctx.now;

  std::string labels;
  for (const auto& [k, v] : rec.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
  std::string networks;
  for (const auto& n : ctx.networks)
    if (n.endpoints.count(rec.id)) networks += (networks.empty() ? "" : ",") + n.name;
  // As the Docker API's port list: only while the container has its network (moby drops the
  // ports when it stops), the published bindings and the exposed ports without one; none
  // without an endpoint of ours (network_mode host, none, service:).
  std::vector<PortEntry> entries;
  if (in.state == "running" || in.state == "paused") {
    bool connected = false;
    for (const auto& n : ctx.networks) connected = connected || n.endpoints.count(rec.id) > 0;
    for (const auto& p : ports_of(store, rec, ctx.networks)) entries.push_back({p.host_ip, p.host_port, p.container_port, p.protocol});
    entries = container_ports(std::move(entries), connected ? read_exposed(store.folder(rec.id)) : std::vector<ExposedPort>{});
  }
  json publishers = json::array();
  for (const auto& p : entries)
    publishers.push_back({{"URL", p.ip}, {"TargetPort", p.target}, {"PublishedPort", p.published}, {"Protocol", p.protocol}});
  const std::string ports = displayable_ports(entries);
  int local_volumes = 0;
  std::string mounts;
  for (const auto& m : mounts_of(store, rec.id, local_volumes)) mounts += (mounts.empty() ? "" : ",") + m;

  return {{"Command", command_of(store, rec.id)},
          {"CreatedAt", created_ns ? format_go_time_utc(*created_ns) : rec.created},
          {"Created", static_cast<long long>(created)},
          {"ExitCode", in.state == "exited" ? in.exit_code.value_or(0) : 0},
          {"Health", in.health},
          {"ID", rec.id},
          {"Image", rec.image},
          {"Labels", labels},
          {"LocalVolumes", std::to_string(local_volumes)},
          {"Mounts", mounts},
          {"Name", rec.name},
          {"Names", rec.name},
          {"Networks", networks},
          {"Ports", ports},
          {"Project", rec.project},
          {"Publishers", publishers},
          {"RunningFor", human_duration(ctx.now - created) + " ago"},
          {"Service", rec.service},
          {"Size", "0B"},
          {"State", in.state},
          {"Status", status_text(in)}};
}

json container_top(ContainerStore& store, const ContainerRecord& rec) {
  json out = {{"Titles", {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}}, {"Processes", json::array()}};
  std::vector<pid_t> pids;
  try {
    pids = store.runtime().processes(rec.id);
  } catch (const std::exception&) {
    return out;
  }
  std::sort(pids.begin(), pids.end());
  const double btime = boot_time(), up = uptime();
  for (pid_t pid : pids) {
    auto row = process_row(pid, btime, up);
    if (!row.empty()) out["Processes"].push_back(row);
  }
  return out;
}

json container_stats(ContainerStore& store, const ContainerRecord& rec) {
  json out = {{"ID", rec.id},         {"Name", rec.name},       {"cpu_ns", 0},      {"system_ns", system_cpu_ns()},
              {"online_cpus", ::sysconf(_SC_NPROCESSORS_ONLN)}, {"memory_usage", 0}, {"memory_limit", mem_total()},
              {"net_rx", 0},          {"net_tx", 0},            {"block_read", 0},  {"block_write", 0},
              {"pids", 0}};
  runtime::ContainerState st;
  try {
    st = store.state(rec.id);
  } catch (const std::exception&) {
    return out;
  }
  out["State"] = st.status == "stopped" ? "exited" : st.status;
  if (st.status == "stopped" || st.pid <= 0) return out;
  try {
    auto cg = runtime::Cgroup::open(cgroups_path_of(store, rec.id));
    const json s = cg->stats();
    if (s.contains("cpu")) out["cpu_ns"] = to_ull(s["cpu"].value("usage_ns", json()));
    if (s.contains("memory")) {
      const json& m = s["memory"];
      const unsigned long long usage = to_ull(m.value("usage", json())), inactive = to_ull(m.value("inactive_file", json()));
      out["memory_usage"] = usage > inactive ? usage - inactive : usage;  // as docker: page cache that can go is not use
      if (m.contains("limit") && m["limit"].is_number()) out["memory_limit"] = std::min(to_ull(m["limit"]), mem_total());
    }
    if (s.contains("pids")) out["pids"] = to_ull(s["pids"].value("current", json()));
    auto [rd, wr] = block_io(*cg);
    out["block_read"] = rd;
    out["block_write"] = wr;
  } catch (const std::exception&) {
    // The container went away while being read: counters stay 0.
  }
  // /proc/<pid>/net/dev is the container's network namespace as seen by its init.
  std::istringstream dev(read_or_empty("/proc/" + std::to_string(st.pid) + "/net/dev"));
  unsigned long long rx = 0, tx = 0;
  for (std::string line; std::getline(dev, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo") continue;
    std::istringstream f(line.substr(colon + 1));
    unsigned long long v[9] = {};
    for (auto& x : v) f >> x;
    rx += v[0];
    tx += v[8];
  }
  out["net_rx"] = rx;
  out["net_tx"] = tx;
  return out;
}

}  // namespace mycompose::scheduler
