#pragma once
// The embedded DNS server: runs on the engine's libuv loop, one UDP+TCP listener per
// network (on its gateway address), answers the names of that network's containers and
// forwards everything else to the host's resolvers (never on internal networks).
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mycompose::net {

// One container address on a network and the names that resolve to it there: service
// name, container name, hostname, network aliases. A service scaled to N replicas is N
// endpoints sharing the service name; an A query gets every address, shuffled.
struct DnsEndpoint {
  std::string address;             // IPv4, dotted
  std::vector<std::string> names;  // case-insensitive, trailing dot optional
  std::string ptr_name;            // PTR answer for `address` (the container name); "" = none
  // `links` aliases: names that only the containers at these addresses see. Empty = every
  // client of the network sees `names`.
  std::vector<std::string> only_for;
  // `links` / `external_links` of the container at `address`: for its own queries only, the
  // alias (first) is answered as the name (second) is — a service or container name, looked
  // up when asked, so a recreated target is found at its new address (Docker's links on
  // user-defined networks).
  std::vector<std::pair<std::string, std::string>> links;
};

struct DnsServerOptions {
  std::uint16_t port = 53;  // 0 = any free port (tests); the bound port is port_of()
  // Upstream resolvers as "ip", "ip:port", "ipv6" or "[ipv6]:port". Empty = read the host's (resolv_conf.hpp,
  // host_upstream_resolvers) when the server starts.
  std::vector<std::string> upstreams;
  std::chrono::milliseconds upstream_timeout{2000};  // per upstream, then the next one
  std::uint32_t ttl = 600;                           // of our own answers, as Docker's
  // Queries being forwarded at once, in all and per client address; past either SERVFAIL
  // (each holds a socket, and a container can ask for unknown names as fast as it likes:
  // the per-client share leaves the other containers theirs).
  std::size_t max_forwards = 1024;
  std::size_t max_forwards_per_client = 128;
  // DNS over TCP. Connections at once, in all and per client address: past either a new
  // one is accepted and closed. Per connection, queries being answered at once and answer
  // bytes waiting to be written: past either the connection is not read until its client
  // reads its answers (a client that pipelines and never reads costs this much, no more),
  // and a connection not read for tcp_idle_timeout is closed.
  std::size_t max_tcp_clients = 256;
  std::size_t max_tcp_clients_per_address = 16;
  std::size_t max_tcp_pipelined = 32;
  std::size_t tcp_write_high_water = 16 * 1024;
  std::chrono::milliseconds tcp_idle_timeout{10000};
};

struct DnsServerCore;  // sockets and records, in dns_server.cpp

class DnsServer {
 public:
  explicit DnsServer(uv_loop_t* loop, DnsServerOptions options = {});
  // Closes every socket; libuv frees them on the loop's next turn, so run the loop once
  // more before uv_loop_close.
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Serves UDP and TCP on ipv4:port for one network. An internal network never forwards:
  // unknown names are NXDOMAIN. Throws SystemError naming the address when a bind fails.
  void listen(const std::string& network_id, const std::string& ipv4, bool internal = false);
  void unlisten(const std::string& network_id);
  std::uint16_t port_of(const std::string& network_id) const;

  // The network's records (replaces the previous set) and incremental changes.
  void set_records(const std::string& network_id, std::vector<DnsEndpoint> endpoints);
  void add_endpoint(const std::string& network_id, DnsEndpoint endpoint);
  void remove_endpoint(const std::string& network_id, const std::string& address);

  // `dns:` of one container: its unknown names go to these servers instead of the host's.
  void set_client_upstreams(const std::string& client_address, std::vector<std::string> upstreams);

 private:
  std::unique_ptr<DnsServerCore> impl_;
};

}  // namespace mycompose::net
