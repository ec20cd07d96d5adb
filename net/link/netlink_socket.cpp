#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/net/bridge.hpp"
#include "nl_objects.hpp"

namespace mycompose::net {

namespace nl {
void check(int err, const std::string& what) {
  if (err < 0) throw Error(what + ": " + nl_geterror(err));
}

Addr ipv4_addr(std::uint32_t host_order, int prefix) {
  std::uint32_t be = htonl(host_order);
  Addr a(nl_addr_build(AF_INET, &be, sizeof be));
  if (!a) throw Error("out of memory building a netlink address");
  nl_addr_set_prefixlen(a.get(), prefix);
  return a;
}
}  // namespace nl

void NetlinkSocket::Free::operator()(nl_sock* s) const { nl_socket_free(s); }

NetlinkSocket::NetlinkSocket() : sock_(nl_socket_alloc()) {
  if (!sock_) throw Error("netlink: cannot allocate a socket");
  nl::check(nl_connect(sock_.get(), NETLINK_ROUTE), "netlink: connect NETLINK_ROUTE");
}

NetlinkSocket NetlinkSocket::in_netns(int netns_fd, const std::string& what) {
  // setns() moves only this thread; the socket keeps the namespace it was created in.
  UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!self) throw SystemError("open /proc/thread-self/ns/net", errno);
  check_syscall(setns(netns_fd, CLONE_NEWNET), "setns into " + what);
  std::optional<NetlinkSocket> sock;
  std::optional<Error> failed;
  try {
    sock.emplace();
  } catch (const Error& e) {
    failed = e;
  }
  if (setns(self.get(), CLONE_NEWNET) != 0) {
    // Carrying on would configure the wrong namespace from this thread.
    std::perror("mycompose: setns back to the engine's network namespace");
    std::abort();
  }
  if (failed) throw *failed;
  return std::move(*sock);
}

int NetlinkSocket::ifindex(const std::string& name) const {
  rtnl_link* raw = nullptr;
  if (rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw) < 0) return 0;
  nl::Link link(raw);
  return rtnl_link_get_ifindex(link.get());
}

}  // namespace mycompose::net
