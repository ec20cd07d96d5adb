#include "mycompose/net/network_manager.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fault_point.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/random.hpp"
#include "mycompose/common/state_root.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/common/undo.hpp"
#include "mycompose/net/bridge.hpp"
#include "mycompose/net/nat.hpp"
#include "network_manager_internal.hpp"

namespace mycompose::net {

namespace {

constexpr const char* kMtuOpt = "com.docker.network.driver.mtu";
constexpr const char* kMasqueradeOpt = "com.docker.network.bridge.enable_ip_masquerade";
constexpr const char* kIccOpt = "com.docker.network.bridge.enable_icc";

// Locally administered unicast (02:…) from the network id: stable across reconcile.
std::string bridge_mac(const std::string& id) {
  std::string mac = "02";
  for (int i = 0; i < 5; ++i) mac += ":" + id.substr(std::size_t(2 * i), 2);
  return mac;
}

int network_mtu(const NetworkSpec& spec) {
  int mtu = spec.mtu.value_or(1500);
  if (auto it = spec.driver_opts.find(kMtuOpt); it != spec.driver_opts.end()) {
    const std::string& v = it->second;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), mtu);
    if (ec != std::errc() || end != v.data() + v.size())
      throw Error("network " + spec.name + ": driver_opts " + kMtuOpt + " \"" + v + "\" is not a number");
  }
  if (mtu < 68 || mtu > 65535)
    throw Error("network " + spec.name + ": MTU " + std::to_string(mtu) + " is out of range (68-65535)");
  return mtu;
}

const IpamConfig* ipv4_config(const NetworkSpec& spec) {
  for (const auto& c : spec.ipam) {
    if (c.subnet.find(':') != std::string::npos) continue;  // IPv6: not configured (see report)
    return &c;
  }
  return nullptr;
}

}  // namespace

NetworkManager::NetworkManager(std::filesystem::path root)
    : root_(std::move(root)), dir_(root_ / "networks"), names_(root_) {
  state_root::ensure(root_);
  fs::make_dirs(dir_, 0700);
}

std::optional<NetworkRecord> NetworkManager::find_locked(const std::string& key) const {
  auto match = [&](const NetworkRecord& r) { return !r.build && (r.name == key || r.id == key); };
  for (auto& r : detail::load_all(dir_, match)) return std::move(r);
  return std::nullopt;
}

std::optional<NetworkRecord> NetworkManager::get(const std::string& key) const {
  detail::FileLock lock(dir_ / ".lock");
  return find_locked(key);
}

std::vector<NetworkRecord> NetworkManager::list() const {
  detail::FileLock lock(dir_ / ".lock");
  auto all = detail::load_all(dir_);
  std::erase_if(all, [](const NetworkRecord& r) { return r.build; });
  return all;
}

void NetworkManager::sync_nat() const {
  std::vector<NatNetwork> nets;
  for (const auto& r : detail::load_all(dir_)) {
    NatNetwork n{r.bridge, Ipv4Prefix::parse(r.subnet, "network " + r.name), r.internal, r.masquerade, {},
                 parse_ipv4(r.gateway, "network " + r.name + " gateway")};
    for (const auto& [cid, e] : r.endpoints)
      for (const auto& p : e.ports)
        n.ports.push_back({p.protocol, p.host_ip.empty() ? 0 : parse_ipv4(p.host_ip, "published port host_ip"),
                           p.host_port, parse_ipv4(e.ip, "endpoint of " + cid), p.container_port});
    nets.push_back(std::move(n));
  }
  apply_nat_rules(names_.nft_table(), nets, std::string(kLinkFamilyPrefix));
}

NetworkRecord NetworkManager::create(const NetworkSpec& spec) {
  if (spec.name.empty()) throw Error("network name must not be empty");
  if (!spec.driver.empty() && spec.driver != "bridge")
    throw Error("network " + spec.name + ": driver \"" + spec.driver + "\" is not supported (only bridge)");
  for (const auto& c : spec.ipam)
    if (c.subnet.find(':') != std::string::npos)
      throw Error("network " + spec.name + ": IPv6 subnet " + c.subnet + " is not supported yet");

  detail::FileLock lock(dir_ / ".lock");
  if (find_locked(spec.name)) throw Error("network with name " + spec.name + " already exists");
  return create_locked(spec, false);
}

NetworkRecord NetworkManager::create_locked(const NetworkSpec& spec, bool build) {
  NetworkRecord rec;
  rec.build = build;
  rec.id = random_hex(32);
  rec.name = spec.name;
  rec.driver = "bridge";
  rec.bridge = names_.bridge_name(rec.id);
  rec.internal = spec.internal;
  rec.external = spec.external;
  rec.attachable = spec.attachable;
  rec.labels = spec.labels;
  rec.driver_opts = spec.driver_opts;
  rec.mtu = network_mtu(spec);
  if (auto it = spec.driver_opts.find(kMasqueradeOpt); it != spec.driver_opts.end())
    rec.masquerade = it->second != "false" && it->second != "0";
  if (auto it = spec.driver_opts.find(kIccOpt); it != spec.driver_opts.end())
    rec.icc = it->second != "false" && it->second != "0";
  rec.created = now_rfc3339();

  NetlinkSocket nl;
  UndoSteps rollback;  // after nl: its undo steps use it
  {
    detail::FileLock host_lock(detail::kHostIpamLock);
    std::vector<Ipv4Prefix> taken = host_ipv4_prefixes(nl);
    for (const auto& other : detail::load_all(dir_)) taken.push_back(Ipv4Prefix::parse(other.subnet, other.name));

    const IpamConfig* cfg = ipv4_config(spec);
    Ipv4Prefix subnet;
    if (cfg && !cfg->subnet.empty()) {
      subnet = Ipv4Prefix::parse(cfg->subnet, "network " + spec.name + " ipam subnet");
      for (const auto& t : taken)
        if (subnet.overlaps(t))
          throw Error("network " + spec.name + ": subnet " + subnet.str() + " overlaps " + t.str() +
                      ", already in use on this host");
      rec.subnet_configured = true;
    } else {
      auto picked = pick_subnet(taken);
      if (!picked)
        throw Error("network " + spec.name +
                    ": could not find an available, non-overlapping IPv4 address pool among the defaults");
      subnet = *picked;
    }
    std::optional<Ipv4Prefix> range;
    std::optional<Ipv4> gateway;
    if (cfg && !cfg->ip_range.empty()) range = Ipv4Prefix::parse(cfg->ip_range, "network " + spec.name + " ip_range");
    if (cfg && !cfg->gateway.empty()) gateway = parse_ipv4(cfg->gateway, "network " + spec.name + " gateway");
    AddressPool pool(spec.name, subnet, range, gateway);
    if (cfg)
      for (const auto& [host, addr] : cfg->aux_addresses)
        pool.reserve(parse_ipv4(addr, "network " + spec.name + " aux_addresses"), "aux address " + host);

    rec.subnet = subnet.str();
    rec.ip_range = range ? range->str() : "";
    rec.gateway = ipv4_string(pool.gateway());
    if (cfg) rec.aux_addresses = cfg->aux_addresses;

    // Recorded before the bridge is made: an engine killed in between leaves a record whose
    // bridge the next engine makes again (reconcile) and down removes, never a bridge that no
    // record names.
    save(rec);
    rollback.add([&] { detail::remove_network_files(dir_, rec.id); });
    fault_point("network.create");
    // The bridge's address is what other roots see, so it is made before the lock goes.
    create_bridge(nl, rec.bridge, rec.mtu, pool.gateway(), subnet.len, bridge_mac(rec.id));
    rollback.add([&] { delete_link(nl, rec.bridge); });
  }
  if (!rec.internal) enable_ip_forward();
  sync_nat();
  rollback.commit();
  return rec;
}

void NetworkManager::remove(const std::string& key) {
  detail::FileLock lock(dir_ / ".lock");
  auto rec = find_locked(key);
  if (!rec) throw Error("network " + key + " not found");
  if (!rec->endpoints.empty()) {
    std::string ids;
    for (const auto& [cid, e] : rec->endpoints) ids += (ids.empty() ? "" : ", ") + cid;
    throw Error("network " + rec->name + " has active endpoints (" + ids + ")");
  }
  NetlinkSocket nl;
  delete_link(nl, rec->bridge);
  detail::remove_network_files(dir_, rec->id);
  sync_nat();
}

std::vector<NetworkRecord> NetworkManager::reconcile() {
  detail::FileLock lock(dir_ / ".lock");
  NetlinkSocket nl;
  prune_build_locked(nl);  // what a killed builder left; a running build keeps its network
  auto records = detail::load_all(dir_);
  std::erase_if(records, [](const NetworkRecord& r) { return r.build; });
  bool forwarding = false;
  for (auto& rec : records) {
    if (nl.ifindex(rec.bridge) == 0) {
      detail::FileLock host_lock(detail::kHostIpamLock);
      auto subnet = Ipv4Prefix::parse(rec.subnet, "network " + rec.name);
      for (const auto& p : host_ipv4_prefixes(nl))
        if (subnet.overlaps(p))
          throw Error("network " + rec.name + ": cannot re-create bridge " + rec.bridge + ": subnet " +
                      rec.subnet + " overlaps " + p.str() + ", now in use on this host");
      create_bridge(nl, rec.bridge, rec.mtu, parse_ipv4(rec.gateway, "network " + rec.name), subnet.len,
                    bridge_mac(rec.id));
    }
    for (auto it = rec.endpoints.begin(); it != rec.endpoints.end();) {
      if (nl.ifindex(it->second.host_veth) == 0) {
        detail::remove_endpoint(dir_, rec.id, it->first);
        it = rec.endpoints.erase(it);
      } else {
        ++it;
      }
    }
    forwarding |= !rec.internal;
  }
  if (forwarding) enable_ip_forward();
  sync_nat();
  return records;
}

void NetworkManager::cleanup_all() {
  detail::FileLock lock(dir_ / ".lock");
  NetlinkSocket nl;
  const std::string prefix = names_.link_prefix();
  // Host veths first (their peers in containers go with them), then bridges.
  auto links = links_with_prefix(nl, prefix);
  std::stable_partition(links.begin(), links.end(),
                        [&](const std::string& n) { return n.size() > prefix.size() && n[prefix.size()] == 'v'; });
  std::string failures;
  for (const auto& l : links) try {
      delete_link(nl, l);
    } catch (const Error& e) {
      failures += std::string(failures.empty() ? "" : "; ") + e.what();
    }
  delete_nat_table(names_.nft_table());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
    if (entry.path().extension() == ".json" || entry.path().extension() == ".tmp")
      std::filesystem::remove(entry.path());
    else if (entry.path().extension() == ".endpoints")
      detail::remove_network_files(dir_, entry.path().stem().string());
  if (!failures.empty()) throw Error("network cleanup: " + failures);
}

}  // namespace mycompose::net
