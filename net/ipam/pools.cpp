#include "mycompose/net/ipam.hpp"

namespace mycompose::net {

const std::vector<Ipv4Prefix>& default_pools() {
  static const std::vector<Ipv4Prefix> pools = [] {
    std::vector<Ipv4Prefix> v;
    for (Ipv4 b = 17; b <= 31; ++b) v.push_back({(172u << 24) | (b << 16), 16});
    for (Ipv4 i = 0; i < 16; ++i) v.push_back({(192u << 24) | (168u << 16) | (i << 12), 20});
    return v;
  }();
  return pools;
}

std::optional<Ipv4Prefix> pick_subnet(const std::vector<Ipv4Prefix>& taken) {
  for (const auto& pool : default_pools()) {
    bool free = true;
    for (const auto& t : taken)
      if (pool.overlaps(t)) {
        free = false;
        break;
      }
    if (free) return pool;
  }
  return std::nullopt;
}

}  // namespace mycompose::net
