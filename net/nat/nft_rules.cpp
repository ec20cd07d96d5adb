#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/net/nat.hpp"
#include "host_filter.hpp"
#include "nft_context.hpp"

namespace mycompose::net {

namespace {
using NftContext = nft::Context;

constexpr int kDnsPort = 53;  // where the engine's DNS server listens on every gateway

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// Published ports: from other hosts and other bridges (prerouting), and from the host itself
// to its non-loopback addresses (output). Loopback and a container's own bridge (hairpin)
// are left to the userland proxy, as Docker does when its proxy is on.
void write_dnat_chains(std::ostringstream& s, const std::vector<NatNetwork>& networks) {
  bool any = false;
  for (const auto& n : networks) any |= !n.ports.empty();
  if (!any) return;
  auto match = [](const NatPort& p) {
    std::string m = p.host_ip ? "ip daddr " + ipv4_string(p.host_ip) : std::string("fib daddr type local");
    return m + " " + p.protocol + " dport " + std::to_string(p.host_port) + " dnat to " + ipv4_string(p.container_ip) +
           ":" + std::to_string(p.container_port);
  };
  s << "  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n";
  for (const auto& n : networks)
    for (const auto& p : n.ports) s << "    iifname != " << quoted(n.bridge) << " " << match(p) << "\n";
  s << "  }\n";
  s << "  chain output {\n    type nat hook output priority -100; policy accept;\n";
  for (const auto& n : networks)
    for (const auto& p : n.ports) s << "    ip daddr != 127.0.0.0/8 " << match(p) << "\n";
  s << "  }\n";
}
// Isolation first (a drop there must win over the accepts below), then what may enter a
// bridge from elsewhere: replies and published ports (DNAT). Anything else routed to a container
// address is dropped, so other hosts that route through this one reach only published ports
// (as Docker 28). The host's own traffic to containers leaves through output, not forward.
void write_forward_chain(std::ostringstream& s, const std::vector<NatNetwork>& networks,
                         const std::string& link_family_prefix) {
  s << "  chain forward {\n    type filter hook forward priority filter; policy accept;\n";
  for (const auto& n : networks) {
    const std::string br = quoted(n.bridge);
    if (n.internal) {
      s << "    iifname " << br << " oifname != " << br << " drop\n";
      s << "    oifname " << br << " iifname != " << br << " drop\n";
    } else {
      // Isolation: nothing from this bridge to another mycompose bridge (any root).
      s << "    iifname " << br << " oifname " << quoted(link_family_prefix + "*") << " oifname != " << br
        << " drop\n";
    }
  }
  for (const auto& n : networks) {
    if (n.internal) continue;
    const std::string into = "    oifname " + quoted(n.bridge) + " iifname != " + quoted(n.bridge);
    s << into << " ct state established,related accept\n";
    s << into << " ct status dnat accept\n";
    s << into << " drop\n";
  }
  s << "  }\n";
}

// The embedded DNS server listens on each gateway: only the network's own bridge may ask it,
// so it is no open resolver for other hosts, the host's other users or other networks.
void write_input_chain(std::ostringstream& s, const std::vector<NatNetwork>& networks) {
  s << "  chain input {\n    type filter hook input priority filter; policy accept;\n";
  for (const auto& n : networks)
    if (n.gateway)
      s << "    ip daddr " << ipv4_string(n.gateway) << " iifname != " << quoted(n.bridge)
        << " meta l4proto { tcp, udp } th dport " << kDnsPort << " drop\n";
  s << "  }\n";
}
}  // namespace

std::string nat_ruleset(const std::string& table, const std::vector<NatNetwork>& networks,
                        const std::string& link_family_prefix) {
  std::ostringstream s;
  // "add; delete" makes the delete succeed whether or not the table exists; the whole
  // script is one transaction, so packets never see a half-built table.
  s << "add table ip " << table << "\n";
  s << "delete table ip " << table << "\n";
  if (networks.empty()) return s.str();
  s << "table ip " << table << " {\n";
  write_forward_chain(s, networks, link_family_prefix);
  write_input_chain(s, networks);
  s << "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n";
  for (const auto& n : networks)
    if (!n.internal && n.masquerade)
      s << "    ip saddr " << n.subnet.str() << " oifname != " << quoted(n.bridge) << " masquerade\n";
  s << "  }\n";
  write_dnat_chains(s, networks);
  s << "}\n";
  return s.str();
}

namespace {
// Our table and the host chain's accept rules in one transaction. The host chain is not
// ours: when its rules change between our listing and the commit, list again once; when it
// still refuses, our own table goes in alone (isolation never waits on the host's chain)
// and the warning says why forwarding may be blocked.
void apply_with_host_filter(const std::string& table, const std::string& ruleset, const std::vector<std::string>& bridges,
                            const std::string& what) {
  NftContext nft;
  std::string refused;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const std::string host = host_filter_script(table, bridges);
    try {
      nft.run(ruleset + host, what);
      return;
    } catch (const Error& e) {
      if (host.empty()) throw;
      refused = e.what();
    }
  }
  nft.run(ruleset, what);
  spdlog::warn("{}: the accept rules in the host's chain ip filter FORWARD were refused: {}", what, refused);
}
}  // namespace

void apply_nat_rules(const std::string& table, const std::vector<NatNetwork>& networks,
                     const std::string& link_family_prefix) {
  std::vector<std::string> bridges;
  for (const auto& n : networks) bridges.push_back(n.bridge);
  apply_with_host_filter(table, nat_ruleset(table, networks, link_family_prefix), bridges,
                         "nftables: update table ip " + table);
}

void delete_nat_table(const std::string& table) {
  apply_with_host_filter(table, nat_ruleset(table, {}, ""), {}, "nftables: delete table ip " + table);
}

std::vector<std::string> nat_tables() {
  NftContext nft;
  std::istringstream out(nft.run("list tables ip", "nftables: list tables"));
  std::vector<std::string> names;
  std::string word, family, name;
  while (out >> word >> family >> name)
    if (word == "table") names.push_back(name);
  return names;
}

std::string nat_table_listing(const std::string& table) {
  NftContext nft;
  return nft.run("list table ip " + table, "nftables: list table ip " + table);
}

void enable_ip_forward() {
  const char* path = "/proc/sys/net/ipv4/ip_forward";
  if (fs::read_file(path).substr(0, 1) == "1") return;
  // A plain write: procfs files cannot take the temp-file-and-rename of write_file_atomic.
  FILE* f = std::fopen(path, "w");
  if (!f) throw SystemError(std::string("open ") + path, errno);
  bool ok = std::fputs("1\n", f) >= 0;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) throw SystemError(std::string("write ") + path, errno);
}

}  // namespace mycompose::net
