#include <linux/if_link.h>
#include <netlink/msg.h>

#include "mycompose/common/error.hpp"
#include "mycompose/net/bridge.hpp"
#include "nl_objects.hpp"

namespace mycompose::net {

void set_bridge_port_isolated(NetlinkSocket& nl, const std::string& port) {
  // libnl-route 3.7 has no setter for IFLA_BRPORT_ISOLATED, so the RTM_SETLINK (AF_BRIDGE,
  // IFLA_PROTINFO) message is built with libnl's generic message API.
  const std::string what = "isolate bridge port " + port;
  int index = nl.ifindex(port);
  if (index == 0) throw Error(what + ": no such link");
  nl_msg* msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
  if (!msg) throw Error(what + ": out of memory");
  ifinfomsg ifi{};
  ifi.ifi_family = AF_BRIDGE;
  ifi.ifi_index = index;
  nlattr* info = nullptr;
  if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
      !(info = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) || nla_put_u8(msg, IFLA_BRPORT_ISOLATED, 1) < 0) {
    nlmsg_free(msg);
    throw Error(what + ": message too large");
  }
  nla_nest_end(msg, info);
  nl::check(nl_send_sync(nl.get(), msg), what);  // frees msg
}

}  // namespace mycompose::net
