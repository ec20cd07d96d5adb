#pragma once
// Published ports as a userland proxy on the engine's libuv loop: a host socket per
// published port; TCP connections are spliced to the container's address, UDP datagrams
// relayed per client flow. (Chosen over DNAT rules: it works for 127.0.0.1 without
// route_localnet, and a taken port is found by the bind itself.)
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mycompose::net {

enum class Protocol { Tcp, Udp };
const char* protocol_name(Protocol p);  // "tcp", "udp"

struct PortBinding {
  std::string host_ip = "0.0.0.0";
  std::uint16_t host_port = 0;      // 0 = an ephemeral port chosen by the kernel
  std::uint16_t host_port_end = 0;  // inclusive end of a host range; 0 = a single port
  Protocol protocol = Protocol::Tcp;
  std::string container_ip;
  std::uint16_t container_port = 0;
  std::uint16_t container_port_end = 0;  // inclusive end of a container range; 0 = single
  std::string owner;                     // who publishes (container name): shown in conflicts
};

struct PublishedPort {
  std::string host_ip;
  std::uint16_t host_port = 0;
  Protocol protocol = Protocol::Tcp;
  std::string container_ip;
  std::uint16_t container_port = 0;
  std::string owner;
  bool operator==(const PublishedPort&) const = default;
};

// Every count and queue is bounded: a published port is open to anyone who reaches the host.
struct PortProxyOptions {
  std::chrono::milliseconds udp_idle_timeout{30000};  // a UDP flow with no traffic is dropped
  std::size_t max_udp_flows = 1024;  // per published UDP port; the least recently used goes first
  // A TCP side stops reading while the other side has this much unwritten data queued (the
  // kernel's socket buffers hold the rest).
  std::size_t write_high_water = 64 * 1024;
  // TCP connections at once, per published port and through the whole proxy. Past either,
  // or when descriptors run short of the engine's reserve (fd_budget.hpp), a new connection
  // is accepted and reset at once.
  std::size_t max_tcp_connections_per_port = 1024;
  std::size_t max_tcp_connections = 4096;
  // A TCP connection with no byte either way for this long is closed; 0 = never. Ten
  // minutes, as nginx's stream proxy_timeout.
  std::chrono::milliseconds tcp_idle_timeout{std::chrono::minutes(10)};
};

struct PortProxyCore;  // in port_proxy.cpp

class PortProxy {
 public:
  explicit PortProxy(uv_loop_t* loop, PortProxyOptions options = {});
  // Closes every socket and connection; libuv frees them on the loop's next turn.
  ~PortProxy();
  PortProxy(const PortProxy&) = delete;
  PortProxy& operator=(const PortProxy&) = delete;

  // Binds the host side and returns what was published (one entry per port of a range).
  // Ranges as Docker: equal lengths map port to port; a host range for one container port
  // takes the first free host port in it. All or nothing: on error nothing stays bound.
  // A taken port throws Error: "cannot publish 127.0.0.1:8080/tcp: port is already
  // published by <owner>" / "... already in use by process <pid> (<comm>)" / "... by
  // another process".
  std::vector<PublishedPort> publish(const PortBinding& binding);
  void unpublish(const std::string& host_ip, std::uint16_t host_port, Protocol protocol);
  void unpublish_owner(const std::string& owner);
  std::vector<PublishedPort> published() const;

 private:
  std::unique_ptr<PortProxyCore> core_;
};

// Who holds a local port in this network namespace: "process <pid> (<comm>)" from
// /proc/net/{tcp,tcp6,udp,udp6} (TCP: listening sockets) and /proc/<pid>/fd, or "" when
// no process can be found. `proc` is the procfs root (tests).
std::string port_holder(Protocol protocol, std::uint16_t port, const std::string& proc = "/proc");

}  // namespace mycompose::net
