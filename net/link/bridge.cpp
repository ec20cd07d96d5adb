#include <net/if.h>
#include <netlink/route/link/bridge.h>

#include <cstring>

#include "mycompose/common/error.hpp"
#include "mycompose/net/bridge.hpp"
#include "nl_objects.hpp"

namespace mycompose::net {

void create_bridge(NetlinkSocket& nl, const std::string& name, int mtu, Ipv4 gateway, int prefix,
                   const std::string& mac) {
  nl::Link br(rtnl_link_bridge_alloc());
  if (!br) throw Error("create bridge " + name + ": out of memory");
  rtnl_link_set_name(br.get(), name.c_str());
  rtnl_link_set_mtu(br.get(), unsigned(mtu));
  if (!mac.empty()) {
    nl_addr* raw = nullptr;
    nl::check(nl_addr_parse(mac.c_str(), AF_LLC, &raw), "create bridge " + name + ": MAC " + mac);
    nl::Addr addr(raw);
    rtnl_link_set_addr(br.get(), addr.get());
  }
  nl::check(rtnl_link_add(nl.get(), br.get(), NLM_F_CREATE | NLM_F_EXCL), "create bridge " + name);
  try {
    add_ipv4_address(nl, name, gateway, prefix);
    set_link_up(nl, name);
  } catch (...) {
    delete_link(nl, name);
    throw;
  }
}

void set_link_up(NetlinkSocket& nl, const std::string& name) {
  rtnl_link* raw = nullptr;
  nl::check(rtnl_link_get_kernel(nl.get(), 0, name.c_str(), &raw), "set link " + name + " up");
  nl::Link orig(raw), change(rtnl_link_alloc());
  rtnl_link_set_flags(change.get(), IFF_UP);
  nl::check(rtnl_link_change(nl.get(), orig.get(), change.get(), 0), "set link " + name + " up");
}

void add_ipv4_address(NetlinkSocket& nl, const std::string& name, Ipv4 addr, int prefix) {
  const std::string what = "add address " + ipv4_string(addr) + "/" + std::to_string(prefix) + " to " + name;
  int index = nl.ifindex(name);
  if (index == 0) throw Error(what + ": no such link");
  nl::RtAddr a(rtnl_addr_alloc());
  rtnl_addr_set_ifindex(a.get(), index);
  auto local = nl::ipv4_addr(addr, prefix);
  nl::check(rtnl_addr_set_local(a.get(), local.get()), what);
  Ipv4Prefix net{addr, prefix};
  if (prefix < 31) {
    auto bcast = nl::ipv4_addr(net.broadcast(), 32);
    nl::check(rtnl_addr_set_broadcast(a.get(), bcast.get()), what);
  }
  nl::check(rtnl_addr_add(nl.get(), a.get(), 0), what);
}

bool delete_link(NetlinkSocket& nl, const std::string& name) {
  nl::Link link(rtnl_link_alloc());
  rtnl_link_set_name(link.get(), name.c_str());
  int err = rtnl_link_delete(nl.get(), link.get());
  if (err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND) return false;
  nl::check(err, "delete link " + name);
  return true;
}

std::vector<std::string> links_with_prefix(NetlinkSocket& nl, const std::string& prefix) {
  nl_cache* raw = nullptr;
  nl::check(rtnl_link_alloc_cache(nl.get(), AF_UNSPEC, &raw), "list links");
  nl::Cache cache(raw);
  std::vector<std::string> names;
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    const char* n = rtnl_link_get_name(reinterpret_cast<rtnl_link*>(o));
    if (n && std::string_view(n).substr(0, prefix.size()) == prefix) names.emplace_back(n);
  }
  return names;
}

namespace {
Ipv4 host_order(nl_addr* a) {
  Ipv4 be;
  std::memcpy(&be, nl_addr_get_binary_addr(a), sizeof be);
  return ntohl(be);
}
}  // namespace

std::vector<Ipv4Prefix> host_ipv4_prefixes(NetlinkSocket& nl) {
  std::vector<Ipv4Prefix> out;
  nl_cache* raw = nullptr;
  nl::check(rtnl_addr_alloc_cache(nl.get(), &raw), "list host addresses");
  nl::Cache addrs(raw);
  for (nl_object* o = nl_cache_get_first(addrs.get()); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    nl_addr* local = rtnl_addr_get_local(a);
    if (rtnl_addr_get_family(a) != AF_INET || !local || nl_addr_get_len(local) != 4) continue;
    out.push_back({host_order(local), int(rtnl_addr_get_prefixlen(a))});
  }
  raw = nullptr;
  nl::check(rtnl_route_alloc_cache(nl.get(), AF_INET, 0, &raw), "list host routes");
  nl::Cache routes(raw);
  for (nl_object* o = nl_cache_get_first(routes.get()); o; o = nl_cache_get_next(o)) {
    nl_addr* dst = rtnl_route_get_dst(reinterpret_cast<rtnl_route*>(o));
    if (!dst || nl_addr_get_len(dst) != 4 || nl_addr_get_prefixlen(dst) == 0) continue;
    out.push_back({host_order(dst), int(nl_addr_get_prefixlen(dst))});
  }
  return out;
}

}  // namespace mycompose::net
