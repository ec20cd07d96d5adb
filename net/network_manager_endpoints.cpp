// connect / disconnect: one veth pair per (network, container).
#include "mycompose/common/error.hpp"
#include "mycompose/common/fault_point.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/net/veth.hpp"
#include "network_manager_internal.hpp"

namespace mycompose::net {

Endpoint NetworkManager::connect(const std::string& network, const std::string& container_id,
                                 const NetnsRef& netns, const EndpointSpec& spec) {
  if (container_id.empty()) throw Error("connect to network " + network + ": empty container id");
  detail::FileLock lock(dir_ / ".lock");
  auto rec = find_locked(network);
  if (!rec) throw Error("network " + network + " not found");
  if (rec->endpoints.count(container_id))
    throw Error("container " + container_id + " is already connected to network " + rec->name);
  return connect_locked(*rec, container_id, netns, spec);
}

Endpoint NetworkManager::connect_locked(NetworkRecord& rec, const std::string& container_id, const NetnsRef& netns,
                                        const EndpointSpec& spec) {
  AddressPool pool = detail::pool_of(rec);
  std::optional<Ipv4> fixed;
  if (!spec.ipv4_address.empty()) {
    if (!rec.subnet_configured)
      throw Error("network " + rec.name + ": ipv4_address " + spec.ipv4_address +
                  " needs a network with a user-configured subnet (ipam.config.subnet)");
    fixed = parse_ipv4(spec.ipv4_address, "ipv4_address of container " + container_id);
  }
  const Ipv4 ip = pool.allocate(fixed);
  const Ipv4 gateway = pool.gateway();

  Endpoint ep;
  ep.container_id = container_id;
  ep.ifname = spec.interface_name.empty() ? "eth" + std::to_string(spec.interface_index) : spec.interface_name;
  // The kernel's rules for a link name (IFNAMSIZ, dev_valid_name), checked here so the
  // error names the network and the key rather than a bare EINVAL from netlink.
  const bool name_ok = !ep.ifname.empty() && ep.ifname.size() < 16 && ep.ifname != "." && ep.ifname != ".." &&
                       ep.ifname.find_first_of("/: \t\n") == std::string::npos;
  if (!name_ok) throw Error("network " + rec.name + ": interface_name \"" + ep.ifname + "\" is not a valid interface name");
  ep.ip = ipv4_string(ip);
  ep.prefix = pool.subnet().len;
  ep.gateway = rec.internal ? "" : ipv4_string(gateway);
  ep.mac = spec.mac_address.empty() ? mac_from_ipv4(ip) : normalize_mac(spec.mac_address);
  ep.host_veth = names_.veth_name(rec.id, container_id);
  ep.aliases = spec.aliases;

  UniqueFd ns = netns.open();
  NetlinkSocket host;
  delete_link(host, ep.host_veth);  // a leftover of a crashed engine with the same endpoint
  create_veth(host, {ep.host_veth, ep.ifname, ns.get(), rec.mtu, ep.mac});
  try {
    attach_to_bridge(host, ep.host_veth, rec.bridge);
    if (!rec.icc) set_bridge_port_isolated(host, ep.host_veth);
    NetlinkSocket inside = NetlinkSocket::in_netns(ns.get(), netns.describe());
    set_link_up(inside, "lo");
    add_ipv4_address(inside, ep.ifname, ip, ep.prefix);
    set_link_up(inside, ep.ifname);
    if (!rec.internal) add_default_route(inside, gateway);
    rec.endpoints.emplace(container_id, ep);
    rec.last_allocated = ipv4_string(pool.cursor());
    detail::write_endpoint(dir_, rec.id, ep);
    detail::write_cursor(dir_, rec.id, rec.last_allocated);
    fault_point("connect.endpoint");
  } catch (...) {
    try {
      delete_link(host, ep.host_veth);
      detail::remove_endpoint(dir_, rec.id, container_id);
    } catch (...) {
    }
    rec.endpoints.erase(container_id);
    throw;
  }
  return ep;
}

void bring_up_loopback(const NetnsRef& netns) {
  UniqueFd ns = netns.open();
  NetlinkSocket inside = NetlinkSocket::in_netns(ns.get(), netns.describe());
  set_link_up(inside, "lo");
}

bool NetworkManager::disconnect(const std::string& network, const std::string& container_id) {
  std::string veth;
  {
    detail::FileLock lock(dir_ / ".lock");
    auto rec = find_locked(network);
    if (!rec) throw Error("network " + network + " not found");
    auto it = rec->endpoints.find(container_id);
    if (it == rec->endpoints.end()) return false;
    veth = it->second.host_veth;
    const bool had_ports = !it->second.ports.empty();
    rec->endpoints.erase(it);
    detail::remove_endpoint(dir_, rec->id, container_id);
    if (had_ports) sync_nat();
  }
  // Outside the lock: deleting a veth waits for the kernel's RCU grace period (10-20 ms), and
  // other containers' connects and disconnects need not queue behind it. The name is this
  // endpoint's own (network id + container id), so nobody reuses it meanwhile; a crash
  // before this line leaves a veth that cleanup_all and `system check` find by prefix.
  NetlinkSocket host;
  delete_link(host, veth);  // takes the peer in the container with it
  return true;
}

void NetworkManager::forward_ports(const std::string& network, const std::string& container_id,
                             std::vector<ForwardedPort> ports) {
  detail::FileLock lock(dir_ / ".lock");
  auto rec = find_locked(network);
  if (!rec) throw Error("network " + network + " not found");
  auto it = rec->endpoints.find(container_id);
  if (it == rec->endpoints.end())
    throw Error("forward ports: container " + container_id + " is not connected to network " + rec->name);
  if (rec->internal && !ports.empty())
    throw Error("forward ports: network " + rec->name + " is internal, it has no way in from the host");
  for (auto& p : ports) {
    const std::string what = "forward " + std::to_string(p.host_port) + ":" + std::to_string(p.container_port) + "/" +
                             p.protocol + " for container " + container_id;
    if (p.protocol != "tcp" && p.protocol != "udp") throw Error(what + ": protocol must be tcp or udp");
    if (p.host_port < 1 || p.host_port > 65535 || p.container_port < 1 || p.container_port > 65535)
      throw Error(what + ": ports must be 1-65535 (resolve ephemeral ports with the proxy first)");
    if (p.host_ip == "0.0.0.0") p.host_ip.clear();
    if (!p.host_ip.empty()) parse_ipv4(p.host_ip, what + " host_ip");
  }
  const auto before = it->second.ports;
  it->second.ports = std::move(ports);
  detail::write_endpoint(dir_, rec->id, it->second);
  try {
    sync_nat();
  } catch (...) {
    it->second.ports = before;
    detail::write_endpoint(dir_, rec->id, it->second);
    throw;
  }
}

}  // namespace mycompose::net
