#include <netlink/route/link/veth.h>

#include <cctype>
#include <cstdio>

#include "mycompose/common/error.hpp"
#include "mycompose/net/veth.hpp"
#include "nl_objects.hpp"

namespace mycompose::net {

void create_veth(NetlinkSocket& nl, const VethSpec& spec) {
  const std::string what = "create veth pair " + spec.host_name + "/" + spec.peer_name;
  // rtnl_link_veth_release frees the pair together.
  std::unique_ptr<rtnl_link, void (*)(rtnl_link*)> link(rtnl_link_veth_alloc(), rtnl_link_veth_release);
  if (!link) throw Error(what + ": out of memory");
  rtnl_link_set_name(link.get(), spec.host_name.c_str());
  rtnl_link_set_mtu(link.get(), unsigned(spec.mtu));
  nl::Link peer(rtnl_link_veth_get_peer(link.get()));
  rtnl_link_set_name(peer.get(), spec.peer_name.c_str());
  rtnl_link_set_mtu(peer.get(), unsigned(spec.mtu));
  rtnl_link_set_ns_fd(peer.get(), spec.peer_netns_fd);
  if (!spec.peer_mac.empty()) {
    nl_addr* raw = nullptr;
    nl::check(nl_addr_parse(spec.peer_mac.c_str(), AF_LLC, &raw), what + ": MAC " + spec.peer_mac);
    nl::Addr mac(raw);
    rtnl_link_set_addr(peer.get(), mac.get());
  }
  nl::check(rtnl_link_add(nl.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL), what);
}

void attach_to_bridge(NetlinkSocket& nl, const std::string& port, const std::string& bridge) {
  const std::string what = "attach " + port + " to bridge " + bridge;
  rtnl_link *p = nullptr, *b = nullptr;
  nl::check(rtnl_link_get_kernel(nl.get(), 0, port.c_str(), &p), what);
  nl::Link port_link(p);
  nl::check(rtnl_link_get_kernel(nl.get(), 0, bridge.c_str(), &b), what);
  nl::Link bridge_link(b);
  nl::check(rtnl_link_enslave(nl.get(), bridge_link.get(), port_link.get()), what);
  set_link_up(nl, port);
}

namespace {
void add_route_via(NetlinkSocket& nl, const Ipv4Prefix& dst, Ipv4 gateway, int flags, const std::string& what) {
  nl::Route route(rtnl_route_alloc());
  rtnl_route_set_family(route.get(), AF_INET);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
  rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  auto d = nl::ipv4_addr(dst.network(), dst.len);
  nl::check(rtnl_route_set_dst(route.get(), d.get()), what);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();  // owned by the route once added
  auto gw = nl::ipv4_addr(gateway, 32);
  rtnl_route_nh_set_gateway(nh, gw.get());
  rtnl_route_add_nexthop(route.get(), nh);
  nl::check(rtnl_route_add(nl.get(), route.get(), flags), what);
}
}  // namespace

bool add_default_route(NetlinkSocket& nl, Ipv4 gateway) {
  // An earlier network's gateway wins, as in Docker: keep an existing default route.
  nl_cache* raw = nullptr;
  nl::check(rtnl_route_alloc_cache(nl.get(), AF_INET, 0, &raw), "list routes");
  nl::Cache routes(raw);
  for (nl_object* o = nl_cache_get_first(routes.get()); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    nl_addr* dst = rtnl_route_get_dst(r);
    if (rtnl_route_get_table(r) == RT_TABLE_MAIN && (!dst || nl_addr_get_prefixlen(dst) == 0)) return false;
  }
  add_route_via(nl, Ipv4Prefix{0, 0}, gateway, NLM_F_CREATE | NLM_F_EXCL,
                "add default route via " + ipv4_string(gateway));
  return true;
}

void add_route(NetlinkSocket& nl, const Ipv4Prefix& dst, Ipv4 gateway) {
  add_route_via(nl, dst, gateway, NLM_F_CREATE | NLM_F_EXCL,
                "add route " + dst.str() + " via " + ipv4_string(gateway));
}

std::string mac_from_ipv4(Ipv4 a) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "02:42:%02x:%02x:%02x:%02x", (a >> 24) & 0xff, (a >> 16) & 0xff,
                (a >> 8) & 0xff, a & 0xff);
  return buf;
}

std::string normalize_mac(const std::string& mac) {
  std::string out;
  bool ok = mac.size() == 17;
  for (std::size_t i = 0; ok && i < mac.size(); ++i) {
    char c = char(std::tolower(static_cast<unsigned char>(mac[i])));
    ok = (i % 3 == 2) ? (c == ':' || c == '-') : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    out += (i % 3 == 2) ? ':' : c;
  }
  if (!ok) throw Error("invalid mac_address \"" + mac + "\": expected six hex pairs like 02:42:ac:11:00:02");
  if (std::stoi(out.substr(0, 2), nullptr, 16) & 1)
    throw Error("invalid mac_address \"" + mac + "\": a multicast address cannot be a container's");
  return out;
}

}  // namespace mycompose::net
