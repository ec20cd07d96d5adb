#pragma once
// The host-side listeners of published ports (one per host port), used by PortProxy.
#include <netinet/in.h>
#include <uv.h>

#include <memory>

#include "dns_uv_util.hpp"
#include "mycompose/net/port_proxy.hpp"

namespace mycompose::net::ports {

// TCP connections open through every listener of one PortProxy (max_tcp_connections).
struct TcpTotals {
  std::size_t open = 0;
};

// Each returns the listener (close() it to unpublish) or nullptr with the libuv error in
// `err`; `bound_port` receives the host port actually bound (ephemeral ports).
uvutil::UvObject* open_tcp_forwarder(uv_loop_t* loop, const sockaddr_storage& host, const sockaddr_storage& target,
                                     const PortProxyOptions& options, std::shared_ptr<TcpTotals> totals, int& err,
                                     std::uint16_t& bound_port);
uvutil::UvObject* open_udp_forwarder(uv_loop_t* loop, const sockaddr_storage& host, const sockaddr_storage& target,
                                     const PortProxyOptions& options, int& err, std::uint16_t& bound_port);

}  // namespace mycompose::net::ports
