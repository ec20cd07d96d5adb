#pragma once
// Owning pointers for libnl objects (each type has its own release function) and the one
// place libnl error codes become mycompose::Error.
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <memory>
#include <string>

namespace mycompose::net::nl {

struct LinkPut {
  void operator()(rtnl_link* p) const { rtnl_link_put(p); }
};
struct AddrPut {
  void operator()(nl_addr* p) const { nl_addr_put(p); }
};
struct RtAddrPut {
  void operator()(rtnl_addr* p) const { rtnl_addr_put(p); }
};
struct RoutePut {
  void operator()(rtnl_route* p) const { rtnl_route_put(p); }
};
struct CacheFree {
  void operator()(nl_cache* p) const { nl_cache_free(p); }
};
using Link = std::unique_ptr<rtnl_link, LinkPut>;
using Addr = std::unique_ptr<nl_addr, AddrPut>;
using RtAddr = std::unique_ptr<rtnl_addr, RtAddrPut>;
using Route = std::unique_ptr<rtnl_route, RoutePut>;
using Cache = std::unique_ptr<nl_cache, CacheFree>;

// Throws Error "<what>: <libnl message>" when err < 0 (libnl returns -NLE_* codes).
void check(int err, const std::string& what);

// An AF_INET nl_addr for a host-order address with a prefix length.
Addr ipv4_addr(std::uint32_t host_order, int prefix);

}  // namespace mycompose::net::nl
