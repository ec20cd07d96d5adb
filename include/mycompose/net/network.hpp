#pragma once
// The data the engine exchanges with the network manager: what a Compose network asks for
// (NetworkSpec), what exists (NetworkRecord), and one container's attachment (Endpoint).
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::net {

struct IpamConfig {
  std::string subnet;    // "" = pick from the default pools
  std::string ip_range;  // "" = the whole subnet
  std::string gateway;   // "" = first address of ip_range/subnet
  std::map<std::string, std::string> aux_addresses;  // kept out of allocation
};

struct NetworkSpec {
  std::string name;  // full name, e.g. "proj_default"
  std::string driver = "bridge";
  bool internal = false;
  bool external = false;  // created outside one project and shared (recorded only)
  bool attachable = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> driver_opts;
  std::vector<IpamConfig> ipam;  // at most one IPv4 config is used
  std::optional<int> mtu;        // driver_opts com.docker.network.driver.mtu wins
};

// A published port forwarded by the kernel (DNAT in the root's nft table) beside the
// userland proxy that holds the host port (net::PortProxy): traffic to a non-loopback host
// address goes straight to the container; 127.0.0.1 stays with the proxy.
struct ForwardedPort {
  std::string protocol = "tcp";  // tcp | udp
  std::string host_ip;           // "" or 0.0.0.0 = every host address
  int host_port = 0;             // the bound port (ephemeral ports already resolved)
  int container_port = 0;
};

struct Endpoint {
  std::string container_id;
  std::string ifname;     // inside the container: eth0, eth1, …
  std::string ip;         // dotted quad
  int prefix = 0;
  std::string gateway;    // "" on internal networks (no default route)
  std::string mac;        // aa:bb:cc:dd:ee:ff
  std::string host_veth;  // host side of the pair, a port of the bridge
  std::vector<std::string> aliases;
  std::vector<ForwardedPort> ports;
};

struct NetworkRecord {
  std::string id;  // 64 hex
  std::string name;
  std::string driver;
  std::string bridge;
  std::string subnet;  // a.b.c.d/n
  std::string ip_range;
  std::string gateway;
  bool internal = false;
  bool external = false;
  bool attachable = false;
  bool masquerade = true;
  bool icc = true;  // containers of the network may talk to each other
  int mtu = 1500;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> driver_opts;
  std::string created;  // RFC 3339
  bool subnet_configured = false;  // ipam.config gave the subnet (fixed addresses allowed)
  std::map<std::string, std::string> aux_addresses;
  std::string last_allocated;  // IPAM cursor, so a restarted engine continues after it
  std::map<std::string, Endpoint> endpoints;  // by container id
  bool build = false;  // the root's build network (Dockerfile RUN steps), never a user's
  // Build network only: builders keeping it between their steps, pid → start time (so a
  // reused pid does not count).
  std::map<int, unsigned long long> holders;
};

struct EndpointSpec {
  std::vector<std::string> aliases;
  std::string ipv4_address;  // "" = allocate
  std::string mac_address;   // "" = derived from the address (02:42:<ip>), as classic Docker
  int interface_index = 0;   // → eth<index>
  std::string interface_name;  // the service's `interface_name` for this network; "" = eth<index>
};

// A network namespace to attach to: a pid (its /proc/<pid>/ns/net), a path to an nsfs
// file (/proc/<pid>/ns/net, /run/netns/x) or an open fd (borrowed; duplicated when used).
class NetnsRef {
 public:
  static NetnsRef of_pid(pid_t pid) { return NetnsRef(pid); }
  static NetnsRef of_path(std::filesystem::path p) { return NetnsRef(std::move(p)); }
  static NetnsRef of_fd(int fd) { return NetnsRef(Fd{fd}); }
  // An owned fd for setns(); throws SystemError naming the namespace.
  UniqueFd open() const;
  std::string describe() const;

 private:
  struct Fd {
    int fd;
  };
  template <class T>
  explicit NetnsRef(T v) : v_(std::move(v)) {}
  std::variant<pid_t, std::filesystem::path, Fd> v_;
};

// ---- from the resolved Compose project (the JSON `config --format json` prints) ---------
// One top-level `networks` entry → spec: name (the entry's `name`, else <project>_<key>),
// driver, driver_opts, internal, external, attachable, labels (plus the
// com.docker.compose.network/.project labels Compose sets), ipam.config. Throws Error naming
// the network for what is not supported (an ipam driver other than "default").
NetworkSpec network_spec_from_compose(const std::string& project, const std::string& key,
                                      const nlohmann::json& entry);

struct ServiceAttachment {
  std::string network_key;  // key in the project's top-level networks
  EndpointSpec endpoint;    // interface_index set: eth0 is the first network attached
};
// A service's networks in the order Compose attaches them (priority high to low, then name),
// with aliases, ipv4_address and mac_address (a network's own, else the service's
// mac_address on the first network, as docker compose does). No `networks` → "default".
std::vector<ServiceAttachment> service_attachments(const nlohmann::json& service);

// ---- network_mode (host, none, bridge/default, container:X, service:X) -----------------
struct NetworkMode {
  enum class Kind { Bridge, Host, None, Container, Service };
  Kind kind = Kind::Bridge;
  std::string target;  // container or service name (or a netns path) for Container/Service
};

// Parses a Compose network_mode value; "" and "bridge"/"default" mean project networks.
// Throws Error for unknown modes, naming the value.
NetworkMode parse_network_mode(std::string_view value);

// The OCI linux.namespaces entry for a mode, or nullopt when the container shares the
// host's network namespace (host mode: no entry at all). Container/Service join the netns
// at `joined_netns_path` (the engine resolves NAME → /proc/<pid>/ns/net); Bridge and None
// get a new, empty namespace. Throws Error when a join path is needed but empty.
std::optional<nlohmann::json> oci_network_namespace(const NetworkMode& mode,
                                                    const std::string& joined_netns_path = {});

}  // namespace mycompose::net
