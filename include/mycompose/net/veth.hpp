#pragma once
// One endpoint: a veth pair whose host side is a bridge port and whose peer is created
// directly inside the container's network namespace under its final name (eth0, eth1…).
#include <string>

#include "mycompose/net/bridge.hpp"

namespace mycompose::net {

struct VethSpec {
  std::string host_name;   // host side
  std::string peer_name;   // inside the namespace
  int peer_netns_fd = -1;  // where the peer goes
  int mtu = 1500;
  std::string peer_mac;    // "" = kernel's random one
};

// Creates the pair (host side in the calling thread's namespace). Throws Error naming both.
void create_veth(NetlinkSocket& nl, const VethSpec& spec);

// Makes `port` a port of `bridge` and brings it up.
void attach_to_bridge(NetlinkSocket& nl, const std::string& port, const std::string& bridge);

// Adds "default via gateway" unless the namespace already has a default route. Returns
// whether it added one.
bool add_default_route(NetlinkSocket& nl, Ipv4 gateway);

// Adds a route to `dst` via `gateway` (tests use it to prove the nft rules, not routing,
// block a path).
void add_route(NetlinkSocket& nl, const Ipv4Prefix& dst, Ipv4 gateway);

// "02:42:" + the four address bytes, as classic Docker derives container MACs.
std::string mac_from_ipv4(Ipv4 addr);
// Lower-cases and checks "aa:bb:cc:dd:ee:ff" (unicast); throws Error naming the value.
std::string normalize_mac(const std::string& mac);

}  // namespace mycompose::net
