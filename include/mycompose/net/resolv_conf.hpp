#pragma once
// resolv.conf: reading the host's, finding the resolvers the engine forwards to, and
// writing the one a container gets (bind-mounted as its /etc/resolv.conf).
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mycompose::net {

struct ResolvConf {
  std::vector<std::string> nameservers;
  std::vector<std::string> search;
  std::vector<std::string> options;
  bool operator==(const ResolvConf&) const = default;
};

// nameserver/search/domain/options lines; comments and unknown lines are skipped; a later
// search or domain line replaces an earlier one, as in glibc.
ResolvConf parse_resolv_conf(std::string_view text);

// The host's effective resolver configuration: /etc/resolv.conf, unless every nameserver
// in it is a loopback stub (systemd-resolved's 127.0.0.53), in which case the upstream
// servers systemd-resolved itself uses (/run/systemd/resolve/resolv.conf) when present.
ResolvConf host_resolv_conf(const std::filesystem::path& etc_resolv = "/etc/resolv.conf",
                            const std::filesystem::path& systemd_resolv = "/run/systemd/resolve/resolv.conf");

// Compose `dns`, `dns_search`, `dns_opt` of one service.
struct ContainerDnsOptions {
  std::vector<std::string> dns;
  std::vector<std::string> dns_search;
  std::vector<std::string> dns_opt;
};

enum class ResolverMode {
  Embedded,  // bridge networks: our DNS server at the network's DNS address
  Host,      // network_mode host: the host's resolvers as they are (loopback ones work there)
  Isolated,  // network_mode none and the like: host resolvers minus loopback ones
};

// The container's resolv.conf as Docker writes it. Embedded: "nameserver <dns_address>"
// and "options ndots:0" unless dns_opt sets ndots (`dns` servers are then the embedded
// server's upstreams for this container, see DnsServer::set_client_upstreams). Otherwise
// `dns` replaces the host's nameservers; Isolated drops loopback nameservers and falls
// back to Docker's defaults (8.8.8.8, 8.8.4.4) when none are left. dns_search/dns_opt
// replace the host's search/options when given.
std::string container_resolv_conf(const ResolvConf& host, const ContainerDnsOptions& options, ResolverMode mode,
                                  const std::string& dns_address = "");

}  // namespace mycompose::net
