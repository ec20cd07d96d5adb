#include "port_display.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace mycompose::scheduler {
namespace {

bool by_docker_order(const PortEntry& a, const PortEntry& b) {
  return std::tie(a.target, a.ip, a.published, a.protocol) < std::tie(b.target, b.ip, b.published, b.protocol);
}

// "host:port" as Go's net.JoinHostPort: an IPv6 address is bracketed.
std::string join_host_port(const std::string& ip, const std::string& port) {
  return ip.find(':') != std::string::npos ? "[" + ip + "]:" + port : ip + ":" + port;
}

}  // namespace

std::vector<PortEntry> container_ports(std::vector<PortEntry> published, const std::vector<std::pair<int, std::string>>& exposed) {
  std::set<std::pair<int, std::string>> bound;
  for (const auto& p : published) bound.insert({p.target, p.protocol});
  for (const auto& [port, proto] : exposed)
    if (!bound.count({port, proto})) published.push_back({"", 0, port, proto});
  std::sort(published.begin(), published.end(), [](const PortEntry& a, const PortEntry& b) {
    return std::tie(a.target, a.protocol, a.ip, a.published) < std::tie(b.target, b.protocol, b.ip, b.published);
  });
  published.erase(std::unique(published.begin(), published.end()), published.end());
  return published;
}

std::string displayable_ports(std::vector<PortEntry> ports) {
  struct Group {
    std::string ip, protocol;
    int first, last;
  };
  std::sort(ports.begin(), ports.end(), by_docker_order);
  std::vector<Group> groups;  // in the order their key first appears, each key's open group
  std::vector<std::string> result, host_mappings;
  const auto text = [](const Group& g) {
    std::string range = std::to_string(g.first);
    if (g.last != g.first) range += "-" + std::to_string(g.last);
    if (!g.ip.empty()) range = join_host_port(g.ip, range) + "->" + range;
    return range + "/" + g.protocol;
  };
  for (const auto& p : ports) {
    if (!p.ip.empty() && p.published != p.target) {
      host_mappings.push_back(join_host_port(p.ip, std::to_string(p.published)) + "->" + std::to_string(p.target) + "/" + p.protocol);
      continue;
    }
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.ip == p.ip && x.protocol == p.protocol; });
    if (g == groups.end()) {
      groups.push_back({p.ip, p.protocol, p.target, p.target});
    } else if (p.target == g->last + 1) {
      g->last = p.target;
    } else {
      result.push_back(text(*g));
      g->first = g->last = p.target;
    }
  }
  for (const auto& g : groups) result.push_back(text(g));
  result.insert(result.end(), host_mappings.begin(), host_mappings.end());
  std::string out;
  for (const auto& r : result) out += (out.empty() ? "" : ", ") + r;
  return out;
}

}  // namespace mycompose::scheduler
