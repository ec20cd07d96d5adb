#pragma once
// IPv4 address management: subnets, Docker's default pools, and per-network address
// allocation. Pure logic (no system calls), so it is unit-tested without root.
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mycompose::net {

// Host byte order address.
using Ipv4 = std::uint32_t;

// "a.b.c.d" → address; throws Error "invalid IPv4 address \"x\" in <what>".
Ipv4 parse_ipv4(std::string_view text, std::string_view what);
std::string ipv4_string(Ipv4 addr);

struct Ipv4Prefix {
  Ipv4 addr = 0;  // as written (may have host bits, e.g. an interface address)
  int len = 0;

  // "a.b.c.d/n"; throws Error naming `what`.
  static Ipv4Prefix parse(std::string_view text, std::string_view what);
  Ipv4 mask() const { return len == 0 ? 0 : ~Ipv4{0} << (32 - len); }
  Ipv4 network() const { return addr & mask(); }
  Ipv4 broadcast() const { return network() | ~mask(); }
  bool contains(Ipv4 a) const { return (a & mask()) == network(); }
  bool overlaps(const Ipv4Prefix& o) const;
  std::string str() const;  // network/len
  bool operator==(const Ipv4Prefix& o) const { return network() == o.network() && len == o.len; }
};

// Docker's defaults: 172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/16 cut into /20s.
const std::vector<Ipv4Prefix>& default_pools();

// The first default pool that overlaps none of `taken` (host addresses and routes, other
// networks). Default routes in `taken` must be left out by the caller.
std::optional<Ipv4Prefix> pick_subnet(const std::vector<Ipv4Prefix>& taken);

// One network's IPv4 configuration and allocations. Addresses are handed out in order after
// the last one handed out (wrapping), as Docker does, so a just-released address is not
// reused at once (stale ARP entries in peers).
class AddressPool {
 public:
  // subnet required; ip_range (a sub-prefix of subnet) and gateway optional ("" = default:
  // the first host address of the subnet). `network` names the network in error messages.
  AddressPool(std::string network, Ipv4Prefix subnet, std::optional<Ipv4Prefix> ip_range,
              std::optional<Ipv4> gateway);

  const Ipv4Prefix& subnet() const { return subnet_; }
  const std::optional<Ipv4Prefix>& ip_range() const { return range_; }
  Ipv4 gateway() const { return gateway_; }

  // Keeps `addr` out of allocation (aux_addresses); must be in the subnet.
  void reserve(Ipv4 addr, std::string_view what);
  // A fixed address (must be in the subnet, free, not the gateway) or the next free one in
  // ip_range/subnet. Throws Error naming the network when none is left.
  Ipv4 allocate(std::optional<Ipv4> fixed = std::nullopt);
  void release(Ipv4 addr);
  bool allocated(Ipv4 addr) const { return used_.count(addr) != 0; }
  // Restores state read from disk.
  void mark_allocated(Ipv4 addr) { used_.insert(addr); }
  Ipv4 cursor() const { return cursor_; }
  void set_cursor(Ipv4 c) { cursor_ = c; }
  const std::vector<Ipv4>& reserved() const { return reserved_; }

 private:
  bool usable(Ipv4 a) const;

  std::string network_;
  Ipv4Prefix subnet_;
  std::optional<Ipv4Prefix> range_;
  Ipv4 gateway_;
  std::vector<Ipv4> reserved_;
  std::set<Ipv4> used_;
  Ipv4 cursor_ = 0;  // last address handed out (0 = none yet)
};

}  // namespace mycompose::net
