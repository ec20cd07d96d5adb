// NetworkRecord <-> JSON, and the per-root state folder.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/net/network_manager.hpp"
#include "network_manager_internal.hpp"

namespace mycompose::net {

using nlohmann::json;

namespace {

json endpoint_to_json(const Endpoint& e) {
  json ports = json::array();
  for (const auto& p : e.ports)
    ports.push_back({{"protocol", p.protocol}, {"host_ip", p.host_ip}, {"host_port", p.host_port},
                     {"container_port", p.container_port}});
  return {{"container_id", e.container_id}, {"ifname", e.ifname}, {"ip", e.ip},   {"prefix", e.prefix},
          {"gateway", e.gateway},           {"mac", e.mac},       {"host_veth", e.host_veth},
          {"aliases", e.aliases},           {"ports", ports}};
}

Endpoint endpoint_from_json(const std::string& container_id, const json& e) {
  Endpoint ep;
  ep.container_id = container_id;
  ep.ifname = e.at("ifname").get<std::string>();
  ep.ip = e.at("ip").get<std::string>();
  parse_ipv4(ep.ip, "endpoint");  // IPAM and the NAT rules parse it: a record they would refuse is corrupt
  ep.prefix = e.at("prefix").get<int>();
  ep.gateway = e.value("gateway", "");
  ep.mac = e.value("mac", "");
  ep.host_veth = e.at("host_veth").get<std::string>();
  ep.aliases = e.value("aliases", std::vector<std::string>{});
  for (const auto& p : e.value("ports", json::array()))
    ep.ports.push_back({p.at("protocol").get<std::string>(), p.value("host_ip", ""), p.at("host_port").get<int>(),
                        p.at("container_port").get<int>()});
  return ep;
}

}  // namespace

// The network without its endpoints: they are files of their own (detail::write_endpoint).
json to_json(const NetworkRecord& r) {
  json holders = json::object();
  for (const auto& [pid, start] : r.holders) holders[std::to_string(pid)] = start;
  return {{"id", r.id},
          {"name", r.name},
          {"driver", r.driver},
          {"bridge", r.bridge},
          {"subnet", r.subnet},
          {"ip_range", r.ip_range},
          {"gateway", r.gateway},
          {"subnet_configured", r.subnet_configured},
          {"aux_addresses", r.aux_addresses},
          {"last_allocated", r.last_allocated},
          {"internal", r.internal},
          {"external", r.external},
          {"attachable", r.attachable},
          {"masquerade", r.masquerade},
          {"icc", r.icc},
          {"mtu", r.mtu},
          {"labels", r.labels},
          {"driver_opts", r.driver_opts},
          {"created", r.created},
          {"build", r.build},
          {"holders", holders}};
}

NetworkRecord network_record_from_json(const json& j) {
  NetworkRecord r;
  r.id = j.at("id").get<std::string>();
  r.name = j.at("name").get<std::string>();
  r.driver = j.value("driver", "bridge");
  r.bridge = j.at("bridge").get<std::string>();
  r.subnet = j.at("subnet").get<std::string>();
  r.ip_range = j.value("ip_range", "");
  r.gateway = j.at("gateway").get<std::string>();
  r.subnet_configured = j.value("subnet_configured", false);
  r.aux_addresses = j.value("aux_addresses", std::map<std::string, std::string>{});
  r.last_allocated = j.value("last_allocated", "");
  r.internal = j.value("internal", false);
  r.external = j.value("external", false);
  r.attachable = j.value("attachable", false);
  r.masquerade = j.value("masquerade", true);
  r.icc = j.value("icc", true);
  r.mtu = j.value("mtu", 1500);
  r.labels = j.value("labels", std::map<std::string, std::string>{});
  r.driver_opts = j.value("driver_opts", std::map<std::string, std::string>{});
  r.created = j.value("created", "");
  r.build = j.value("build", false);
  const json holders = j.value("holders", json::object());
  for (const auto& [pid, start] : holders.items()) r.holders[std::stoi(pid)] = start.get<unsigned long long>();
  // Records written before endpoints had files of their own hold them inline.
  const json inline_endpoints = j.value("endpoints", json::object());
  for (const auto& [cid, e] : inline_endpoints.items()) r.endpoints.emplace(cid, endpoint_from_json(cid, e));
  return r;
}

namespace detail {

FileLock::FileLock(const std::filesystem::path& path) {
  fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd_) throw SystemError("open lock file " + path.string(), errno);
  int rc;
  do rc = flock(fd_.get(), LOCK_EX);
  while (rc != 0 && errno == EINTR);
  check_syscall(rc, "flock " + path.string());
}

std::filesystem::path endpoints_dir(const std::filesystem::path& dir, const std::string& network_id) {
  return dir / (network_id + ".endpoints");
}

namespace {

constexpr std::size_t kEndpointMaxBytes = 64 << 10;
constexpr const char* kCursorFile = "cursor";

// Parsed endpoint files by path, kept while the file is the same one (device, inode, size,
// times): a connect reads every endpoint of its network, and parsing N files for each of N
// containers was the quadratic part of a large `up`. Process-wide, because most callers make
// a NetworkManager per call. Entries of files that are gone are dropped when their folder is
// read or removed, so it holds at most the endpoints that exist.
struct CachedEndpoint {
  dev_t dev;
  ino_t ino;
  off_t size;
  timespec mtime, ctime;
  Endpoint ep;
};
std::mutex cache_mu;
std::map<std::string, CachedEndpoint, std::less<>> cache;

bool same_file(const CachedEndpoint& c, const struct stat& st) {
  return c.dev == st.st_dev && c.ino == st.st_ino && c.size == st.st_size && c.mtime.tv_sec == st.st_mtim.tv_sec &&
         c.mtime.tv_nsec == st.st_mtim.tv_nsec && c.ctime.tv_sec == st.st_ctim.tv_sec &&
         c.ctime.tv_nsec == st.st_ctim.tv_nsec;
}

void forget_cached(const std::string& folder_prefix, const std::set<std::string>& keep) {
  std::lock_guard lock(cache_mu);
  for (auto it = cache.lower_bound(folder_prefix); it != cache.end() && it->first.starts_with(folder_prefix);)
    it = keep.count(it->first) ? std::next(it) : cache.erase(it);
}

std::string read_cursor(const std::filesystem::path& file) {
  std::string text;
  try {
    text = fs::read_file(file, 64);
  } catch (const std::exception&) {
    return "";
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  try {
    parse_ipv4(text, "cursor");
  } catch (const std::exception&) {
    return "";  // torn: only the order of the next addresses depends on it
  }
  return text;
}

// The endpoint files of r, over what r already holds.
void load_endpoints(const std::filesystem::path& dir, NetworkRecord& r) {
  const auto edir = endpoints_dir(dir, r.id);
  std::set<std::string> seen;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(edir, ec)) {
    const auto& p = entry.path();
    const std::string name = p.filename().string();
    if (name == kCursorFile) {
      if (auto c = read_cursor(p); !c.empty()) r.last_allocated = c;
      continue;
    }
    if (p.extension() != ".json" || fs::is_temp_name(name)) continue;
    const std::string cid = p.stem().string();
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) continue;
    {
      std::lock_guard lock(cache_mu);
      if (auto it = cache.find(p.string()); it != cache.end() && same_file(it->second, st)) {
        r.endpoints.insert_or_assign(cid, it->second.ep);
        seen.insert(p.string());
        continue;
      }
    }
    auto ep = fs::read_record(p, kEndpointMaxBytes, [&](const json& j) {
      if (j.value("container_id", "") != cid) throw Error("an endpoint file named after another container");
      return endpoint_from_json(cid, j);
    });
    if (!ep) continue;
    r.endpoints.insert_or_assign(cid, *ep);
    seen.insert(p.string());
    // Writers hold the folder's lock, as the caller does: the file read is the one stat saw.
    std::lock_guard lock(cache_mu);
    cache.insert_or_assign(p.string(), CachedEndpoint{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim, *ep});
  }
  forget_cached(edir.string() + "/", seen);
}

}  // namespace

void write_endpoint(const std::filesystem::path& dir, const std::string& network_id, const Endpoint& ep) {
  const auto edir = endpoints_dir(dir, network_id);
  fs::make_dirs(edir, 0700);
  // Not fsynced: an endpoint never outlives the boot (its namespace and veth end with it), and
  // reconcile forgets endpoints whose veth is gone.
  fs::write_file_replace(edir / (ep.container_id + ".json"), endpoint_to_json(ep).dump() + "\n", 0600);
}

void remove_endpoint(const std::filesystem::path& dir, const std::string& network_id, const std::string& container_id) {
  const auto file = endpoints_dir(dir, network_id) / (container_id + ".json");
  std::error_code ec;
  std::filesystem::remove(file, ec);
  forget_cached(file.string(), {});
}

// Written in place (no new inode per connect); a torn cursor is ignored when read.
void write_cursor(const std::filesystem::path& dir, const std::string& network_id, const std::string& cursor) {
  const auto edir = endpoints_dir(dir, network_id);
  fs::make_dirs(edir, 0700);
  const auto file = edir / kCursorFile;
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw SystemError("open " + file.string(), errno);
  const std::string text = cursor + "\n";
  check_syscall(::pwrite(fd.get(), text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()) ? 0 : -1,
                "write " + file.string());
  check_syscall(::ftruncate(fd.get(), static_cast<off_t>(text.size())), "truncate " + file.string());
}

void remove_network_files(const std::filesystem::path& dir, const std::string& network_id) {
  std::filesystem::remove(dir / (network_id + ".json"));
  const auto edir = endpoints_dir(dir, network_id);
  std::error_code ec;
  std::filesystem::remove_all(edir, ec);
  forget_cached(edir.string() + "/", {});
}

// A torn or garbage record is moved aside (system check lists it, and the bridge it named
// as a leak): one bad file must not stop every project's commands.
std::vector<NetworkRecord> load_all(const std::filesystem::path& dir,
                                    const std::function<bool(const NetworkRecord&)>& wanted) {
  std::vector<NetworkRecord> out;
  std::set<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto& p = entry.path();
    if (p.extension() != ".json" || fs::is_temp_name(p.filename().string())) continue;
    auto r = fs::read_record(p, 16 << 20, [](const json& j) {
      NetworkRecord r = network_record_from_json(j);
      // Addresses every later step parses (IPAM, NAT rules): a record they would refuse is corrupt.
      Ipv4Prefix::parse(r.subnet, "subnet");
      parse_ipv4(r.gateway, "gateway");
      return r;
    });
    if (!r) continue;
    ids.insert(r->id);
    if (wanted && !wanted(*r)) continue;
    if (!r->endpoints.empty()) {  // the inline endpoints of an older engine: moved to their files
      for (const auto& [cid, e] : r->endpoints) write_endpoint(dir, r->id, e);
      fs::write_file_atomic(p, to_json(*r).dump(2) + "\n", 0600);
    }
    load_endpoints(dir, *r);
    out.push_back(std::move(*r));
  }
  // Endpoint folders of a network whose record is gone (a crash while it was removed).
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto& p = entry.path();
    if (p.extension() == ".endpoints" && !ids.count(p.stem().string())) remove_network_files(dir, p.stem().string());
  }
  return out;
}

AddressPool pool_of(const NetworkRecord& r) {
  std::optional<Ipv4Prefix> range;
  if (!r.ip_range.empty()) range = Ipv4Prefix::parse(r.ip_range, "network " + r.name + " ip_range");
  AddressPool pool(r.name, Ipv4Prefix::parse(r.subnet, "network " + r.name + " subnet"), range,
                   parse_ipv4(r.gateway, "network " + r.name + " gateway"));
  for (const auto& [host, addr] : r.aux_addresses) pool.reserve(parse_ipv4(addr, "aux_addresses"), "aux address " + host);
  for (const auto& [cid, e] : r.endpoints) pool.mark_allocated(parse_ipv4(e.ip, "endpoint of " + cid));
  if (!r.last_allocated.empty()) pool.set_cursor(parse_ipv4(r.last_allocated, "network " + r.name + " state"));
  return pool;
}

}  // namespace detail

// The network is written durably (fs::write_file_atomic), as every state file: a record lost
// to a power loss hides a bridge and its nft rules from every later command. Its endpoints
// and IPAM cursor are written by detail::write_endpoint and write_cursor.
void NetworkManager::save(const NetworkRecord& rec) const {
  fs::write_file_atomic(dir_ / (rec.id + ".json"), to_json(rec).dump(2) + "\n", 0600);
}

}  // namespace mycompose::net
