// NetworkRecord <-> JSON, and the per-root state folder.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/net/network_manager.hpp"
#include "network_manager_internal.hpp"

namespace mycompose::net {

using nlohmann::json;

json to_json(const NetworkRecord& r) {
  json eps = json::object();
  for (const auto& [cid, e] : r.endpoints) {
    json ports = json::array();
    for (const auto& p : e.ports)
      ports.push_back({{"protocol", p.protocol}, {"host_ip", p.host_ip}, {"host_port", p.host_port},
                       {"container_port", p.container_port}});
    eps[cid] = {{"ifname", e.ifname}, {"ip", e.ip},     {"prefix", e.prefix},       {"gateway", e.gateway},
                {"mac", e.mac},       {"host_veth", e.host_veth}, {"aliases", e.aliases}, {"ports", ports}};
  }
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
          {"holders", holders},
          {"endpoints", eps}};
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
  const json endpoints = j.value("endpoints", json::object());
  for (const auto& [cid, e] : endpoints.items()) {
    Endpoint ep;
    ep.container_id = cid;
    ep.ifname = e.at("ifname").get<std::string>();
    ep.ip = e.at("ip").get<std::string>();
    ep.prefix = e.at("prefix").get<int>();
    ep.gateway = e.value("gateway", "");
    ep.mac = e.value("mac", "");
    ep.host_veth = e.at("host_veth").get<std::string>();
    ep.aliases = e.value("aliases", std::vector<std::string>{});
    for (const auto& p : e.value("ports", json::array()))
      ep.ports.push_back({p.at("protocol").get<std::string>(), p.value("host_ip", ""), p.at("host_port").get<int>(),
                          p.at("container_port").get<int>()});
    r.endpoints.emplace(cid, std::move(ep));
  }
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

// A torn or garbage record is moved aside (system check lists it, and the bridge it named
// as a leak): one bad file must not stop every project's commands.
std::vector<NetworkRecord> load_all(const std::filesystem::path& dir) {
  std::vector<NetworkRecord> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto& p = entry.path();
    if (p.extension() != ".json" || fs::is_temp_name(p.filename().string())) continue;
    auto r = fs::read_record(p, 16 << 20, [](const json& j) {
      NetworkRecord r = network_record_from_json(j);
      // Addresses every later step parses (IPAM, NAT rules): a record they would refuse is corrupt.
      Ipv4Prefix::parse(r.subnet, "subnet");
      parse_ipv4(r.gateway, "gateway");
      for (const auto& [cid, e] : r.endpoints) parse_ipv4(e.ip, "endpoint");
      return r;
    });
    if (r) out.push_back(std::move(*r));
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

// Every record is written durably (fs::write_file_atomic), as every state file: a record lost
// to a power loss hides a bridge and its nft rules from every later command.
void NetworkManager::save(const NetworkRecord& rec) const {
  fs::write_file_atomic(dir_ / (rec.id + ".json"), to_json(rec).dump(2) + "\n", 0600);
}

}  // namespace mycompose::net
