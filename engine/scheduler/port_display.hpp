#pragma once
// A container's ports as `ps` lists them: docker compose's Publishers and the PORTS text.
#include <string>
#include <vector>

namespace mycompose::scheduler {

struct PortEntry {
  std::string ip;     // "" for a port only exposed
  int published = 0;  // 0 for a port only exposed
  int target = 0;
  std::string protocol = "tcp";
  bool operator==(const PortEntry&) const = default;
};

// The Docker API's port list: each published binding, and each exposed port that no binding
// publishes once without a host side (a port both exposed and published is listed by its
// bindings only). Sorted by target port, then protocol, address and host port.
std::vector<PortEntry> container_ports(std::vector<PortEntry> published, const std::vector<std::pair<int, std::string>>& exposed);

// The Docker CLI's DisplayablePorts: consecutive ports of one protocol (and one address when
// published to the same port number) are grouped ("9091-9092/tcp",
// "0.0.0.0:8000-8001->8000-8001/tcp"), other bindings follow as "ip:host->target/proto".
std::string displayable_ports(std::vector<PortEntry> ports);

}  // namespace mycompose::scheduler
