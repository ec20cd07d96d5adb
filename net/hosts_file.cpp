#include "mycompose/net/hosts_file.hpp"

#include <arpa/inet.h>

#include "mycompose/common/error.hpp"

namespace mycompose::net {
namespace {

bool valid_address(const std::string& a) {
  in_addr a4{};
  in6_addr a6{};
  return inet_pton(AF_INET, a.c_str(), &a4) == 1 || inet_pton(AF_INET6, a.c_str(), &a6) == 1;
}

void line(std::string& out, const HostsEntry& e) {
  out += e.address;
  out += "\t";
  for (std::size_t i = 0; i < e.names.size(); ++i) out += (i ? " " : "") + e.names[i];
  out += "\n";
}

}  // namespace

std::vector<HostsEntry> parse_extra_hosts(const std::vector<std::string>& items, const std::string& host_gateway) {
  std::vector<HostsEntry> out;
  for (const std::string& item : items) {
    // "name=addr" is the newer form; "name:addr" splits at the first colon so that IPv6
    // addresses ("name:::1") keep theirs.
    std::size_t sep = item.find('=');
    if (sep == std::string::npos) sep = item.find(':');
    if (sep == std::string::npos || sep == 0)
      throw Error("extra_hosts: \"" + item + "\": expected HOST:IP or HOST=IP");
    std::string name = item.substr(0, sep);
    std::string address = item.substr(sep + 1);
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
    if (address == "host-gateway") {
      if (host_gateway.empty()) throw Error("extra_hosts: \"" + item + "\": host-gateway is not known (no default bridge gateway)");
      address = host_gateway;
    }
    if (!valid_address(address)) throw Error("extra_hosts: \"" + item + "\": invalid IP address \"" + address + "\"");
    out.push_back({address, {name}});
  }
  return out;
}

std::string container_hosts_file(const ContainerHosts& hosts) {
  std::string out = "127.0.0.1\tlocalhost\n";
  if (hosts.ipv6) {
    out +=
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\n"
        "ff02::1\tip6-allnodes\n"
        "ff02::2\tip6-allrouters\n";
  }
  for (const auto& e : hosts.extra) line(out, e);
  for (const auto& e : hosts.own) line(out, e);
  return out;
}

std::string host_network_hosts_file(std::string_view host_hosts, const std::vector<HostsEntry>& extra) {
  std::string out(host_hosts);
  if (!out.empty() && out.back() != '\n') out += "\n";
  for (const auto& e : extra) line(out, e);
  return out;
}

}  // namespace mycompose::net
