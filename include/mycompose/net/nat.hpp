#pragma once
// Outbound NAT and isolation in one nftables table per state root (mycompose_<root tag>),
// rebuilt as a whole in one atomic transaction from the list of networks on every change:
// forward (isolation; into a bridge only replies and published ports), input (the gateway's
// DNS only from its bridge), postrouting (masquerade), prerouting/output (DNAT). Plus, where
// the host has iptables-nft's FORWARD chain, accept rules for our bridges in it.
#include <cstdint>
#include <string>
#include <vector>

#include "mycompose/net/ipam.hpp"

namespace mycompose::net {

struct NatPort {
  std::string protocol;  // tcp | udp
  Ipv4 host_ip = 0;      // 0 = every local address
  int host_port = 0;
  Ipv4 container_ip = 0;
  int container_port = 0;
};

struct NatNetwork {
  std::string bridge;
  Ipv4Prefix subnet;
  bool internal = false;    // no way out: drop forwarding from and to the bridge
  bool masquerade = true;   // com.docker.network.bridge.enable_ip_masquerade
  std::vector<NatPort> ports;  // DNAT to containers of this network
  Ipv4 gateway = 0;         // the DNS server's address: only this bridge may query it (0 = none)
};

// The nft script that replaces `table` with rules for `networks` (deletes it when empty).
// `link_family_prefix` matches the bridges of every mycompose root, for isolation.
std::string nat_ruleset(const std::string& table, const std::vector<NatNetwork>& networks,
                        const std::string& link_family_prefix);

// Runs nat_ruleset through libnftables, in the same transaction as the accept rules for the
// networks' bridges in the host's iptables `ip filter FORWARD` chain, when the host has one
// (Docker's hosts: policy drop; see host_filter.cpp). Throws Error with nft's message.
void apply_nat_rules(const std::string& table, const std::vector<NatNetwork>& networks,
                     const std::string& link_family_prefix);

// Deletes `table` if it exists, and our accept rules in the host's FORWARD chain.
void delete_nat_table(const std::string& table);

// One of our accept rules in the host's `table ip filter` (comment: our table's name).
struct HostFilterRule {
  std::string chain;      // FORWARD
  std::string direction;  // iifname | oifname
  std::string bridge;
  std::uint64_t handle = 0;
};
// Ours (comment `table`) in the host's `ip filter FORWARD` chain; none when it has no such chain.
std::vector<HostFilterRule> host_filter_rules(const std::string& table);

// Names of the tables of family ip ("nft list tables").
std::vector<std::string> nat_tables();

// `nft list table ip <table>` (for `system check`). Throws Error when there is none.
std::string nat_table_listing(const std::string& table);

// net.ipv4.ip_forward = 1 (containers reach the outside through the host).
void enable_ip_forward();

}  // namespace mycompose::net
