#include <arpa/inet.h>

#include <charconv>

#include "mycompose/common/error.hpp"
#include "mycompose/net/ipam.hpp"

namespace mycompose::net {

Ipv4 parse_ipv4(std::string_view text, std::string_view what) {
  in_addr a{};
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), &a) != 1)
    throw Error("invalid IPv4 address \"" + s + "\" in " + std::string(what));
  return ntohl(a.s_addr);
}

std::string ipv4_string(Ipv4 addr) {
  in_addr a{htonl(addr)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

Ipv4Prefix Ipv4Prefix::parse(std::string_view text, std::string_view what) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos)
    throw Error("invalid IPv4 subnet \"" + std::string(text) + "\" in " + std::string(what) +
                ": expected address/prefix-length");
  Ipv4Prefix p;
  p.addr = parse_ipv4(text.substr(0, slash), what);
  auto len = text.substr(slash + 1);
  auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), p.len);
  if (ec != std::errc() || end != len.data() + len.size() || p.len < 0 || p.len > 32)
    throw Error("invalid IPv4 subnet \"" + std::string(text) + "\" in " + std::string(what) +
                ": prefix length must be 0-32");
  return p;
}

bool Ipv4Prefix::overlaps(const Ipv4Prefix& o) const {
  // Two prefixes overlap exactly when the shorter one contains the other's network.
  const Ipv4Prefix& wide = len <= o.len ? *this : o;
  const Ipv4Prefix& narrow = len <= o.len ? o : *this;
  return wide.contains(narrow.network());
}

std::string Ipv4Prefix::str() const { return ipv4_string(network()) + "/" + std::to_string(len); }

}  // namespace mycompose::net
