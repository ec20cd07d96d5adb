#pragma once
// Links on the host through rtnetlink (libnl-route-3): a socket bound to one network
// namespace, bridges, and the host's addresses and routes (for IPAM overlap checks).
#include <memory>
#include <string>
#include <vector>

#include "mycompose/net/ipam.hpp"

struct nl_sock;

namespace mycompose::net {

class NetlinkSocket {
 public:
  // A route socket in the calling thread's network namespace.
  NetlinkSocket();
  // A route socket in the namespace `netns_fd` refers to (the thread enters it just long
  // enough to open the socket, which stays bound to it). `what` names it in errors.
  static NetlinkSocket in_netns(int netns_fd, const std::string& what);

  nl_sock* get() const { return sock_.get(); }
  // Interface index of `name`, 0 when there is no such link.
  int ifindex(const std::string& name) const;

 private:
  struct Free {
    void operator()(nl_sock*) const;
  };
  std::unique_ptr<nl_sock, Free> sock_;
};

// Creates bridge `name` with `mtu`, gives it `gateway` as address (gateway/prefix) and
// brings it up. Throws Error naming the bridge; leaves nothing behind on failure.
// `mac` ("" = kernel's choice) is set explicitly because a bridge without one takes the
// lowest MAC of its ports, so the gateway's MAC would change as containers come and go
// (stale ARP entries in the containers).
void create_bridge(NetlinkSocket& nl, const std::string& name, int mtu, Ipv4 gateway, int prefix,
                   const std::string& mac = "");

// Deletes the link `name`; a missing link is not an error. Returns whether it existed.
bool delete_link(NetlinkSocket& nl, const std::string& name);

// Names of every link whose name starts with `prefix`.
std::vector<std::string> links_with_prefix(NetlinkSocket& nl, const std::string& prefix);

// Every IPv4 prefix in use on the host: interface addresses (as their subnets) and routes
// in every table, default routes left out.
std::vector<Ipv4Prefix> host_ipv4_prefixes(NetlinkSocket& nl);

// Marks a bridge port "isolated": it reaches the bridge itself (the gateway) but no other
// isolated port — driver_opts com.docker.network.bridge.enable_icc=false.
void set_bridge_port_isolated(NetlinkSocket& nl, const std::string& port);

void set_link_up(NetlinkSocket& nl, const std::string& name);
void add_ipv4_address(NetlinkSocket& nl, const std::string& name, Ipv4 addr, int prefix);

}  // namespace mycompose::net
