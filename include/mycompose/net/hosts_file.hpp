#pragma once
// The /etc/hosts a container gets (bind-mounted from its state folder).
#include <string>
#include <string_view>
#include <vector>

namespace mycompose::net {

struct HostsEntry {
  std::string address;
  std::vector<std::string> names;
  bool operator==(const HostsEntry&) const = default;
};

// Compose `extra_hosts` items ("name:ip", "name=ip", IPv6 allowed: "name:::1", "name=[::1]")
// to entries; "host-gateway" becomes host_gateway (the default bridge's gateway). Throws
// Error naming the item when it has no name or no valid address, or uses host-gateway
// while host_gateway is empty.
std::vector<HostsEntry> parse_extra_hosts(const std::vector<std::string>& items, const std::string& host_gateway);

struct ContainerHosts {
  std::vector<HostsEntry> own;     // the container's addresses with its hostname, names, aliases
  std::vector<HostsEntry> extra;   // from parse_extra_hosts
  bool ipv6 = true;                // write the ip6-* lines, as Docker does when IPv6 is on
};

// Docker's layout: localhost lines, then extra_hosts, then the container's own lines.
std::string container_hosts_file(const ContainerHosts& hosts);

// network_mode host: the host's /etc/hosts followed by extra_hosts.
std::string host_network_hosts_file(std::string_view host_hosts, const std::vector<HostsEntry>& extra);

}  // namespace mycompose::net
