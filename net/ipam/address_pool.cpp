#include "mycompose/common/error.hpp"
#include "mycompose/net/ipam.hpp"

namespace mycompose::net {

namespace {
// First and last address a container may get: inside the range, never the subnet's
// network or broadcast address.
std::pair<Ipv4, Ipv4> host_bounds(const Ipv4Prefix& subnet, const std::optional<Ipv4Prefix>& range) {
  Ipv4 lo = subnet.network() + 1, hi = subnet.broadcast() - 1;
  if (range) {
    lo = std::max(lo, range->network());
    hi = std::min(hi, range->broadcast());
  }
  return {lo, hi};
}
}  // namespace

AddressPool::AddressPool(std::string network, Ipv4Prefix subnet, std::optional<Ipv4Prefix> ip_range,
                         std::optional<Ipv4> gateway)
    : network_(std::move(network)), subnet_(subnet), range_(ip_range) {
  if (subnet_.len > 30)
    throw Error("network " + network_ + ": subnet " + subnet_.str() + " is too small (at most /30)");
  if (range_ && (range_->len < subnet_.len || !subnet_.contains(range_->network())))
    throw Error("network " + network_ + ": ip_range " + range_->str() + " is not inside subnet " +
                subnet_.str());
  auto [lo, hi] = host_bounds(subnet_, range_);
  if (lo > hi) throw Error("network " + network_ + ": ip_range " + range_->str() + " has no usable address");
  if (gateway) {
    if (!subnet_.contains(*gateway) || *gateway == subnet_.network() || *gateway == subnet_.broadcast())
      throw Error("network " + network_ + ": gateway " + ipv4_string(*gateway) +
                  " is not a host address of subnet " + subnet_.str());
    gateway_ = *gateway;
  } else {
    gateway_ = lo;  // as Docker: the first address of the range (or subnet)
  }
}

void AddressPool::reserve(Ipv4 addr, std::string_view what) {
  if (!subnet_.contains(addr))
    throw Error("network " + network_ + ": " + std::string(what) + " " + ipv4_string(addr) +
                " is not in subnet " + subnet_.str());
  reserved_.push_back(addr);
}

bool AddressPool::usable(Ipv4 a) const {
  if (a == gateway_ || used_.count(a)) return false;
  for (Ipv4 r : reserved_)
    if (r == a) return false;
  return true;
}

Ipv4 AddressPool::allocate(std::optional<Ipv4> fixed) {
  if (fixed) {
    if (!subnet_.contains(*fixed) || *fixed == subnet_.network() || *fixed == subnet_.broadcast())
      throw Error("network " + network_ + ": address " + ipv4_string(*fixed) +
                  " is not a host address of subnet " + subnet_.str());
    if (!usable(*fixed))
      throw Error("network " + network_ + ": address " + ipv4_string(*fixed) + " is already in use");
    used_.insert(*fixed);
    return *fixed;
  }
  auto [lo, hi] = host_bounds(subnet_, range_);
  std::uint64_t count = std::uint64_t(hi) - lo + 1;
  Ipv4 start = (cursor_ >= lo && cursor_ < hi) ? cursor_ + 1 : lo;
  for (std::uint64_t i = 0; i < count; ++i) {
    Ipv4 a = Ipv4(lo + (std::uint64_t(start) - lo + i) % count);
    if (usable(a)) {
      used_.insert(a);
      cursor_ = a;
      return a;
    }
  }
  throw Error("network " + network_ + ": no IPv4 address left in " +
              (range_ ? "ip_range " + range_->str() : "subnet " + subnet_.str()));
}

void AddressPool::release(Ipv4 addr) { used_.erase(addr); }

}  // namespace mycompose::net
