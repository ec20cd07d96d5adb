// Published ports of a service's container: `ports` (canonical long syntax) → proxy + DNAT.
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "project_state.hpp"

namespace mycompose::scheduler {
namespace {

std::uint16_t port_number(const std::string& text, const std::string& what) {
  try {
    std::size_t used = 0;
    const int n = std::stoi(text, &used);
    if (used == text.size() && n >= 0 && n <= 65535) return static_cast<std::uint16_t>(n);
  } catch (const std::exception&) {
  }
  throw Error(what + ": invalid port \"" + text + "\"");
}

}  // namespace

std::vector<net::PortBinding> port_bindings(const std::string& service, const nlohmann::ordered_json& definition,
                                            const std::string& owner, const std::string& container_ip) {
  std::vector<net::PortBinding> out;
  if (!definition.contains("ports")) return out;
  for (const auto& p : definition["ports"]) {
    const std::string what = "service \"" + service + "\": ports";
    net::PortBinding b;
    b.host_ip = p.value("host_ip", "");
    if (b.host_ip.empty()) b.host_ip = "0.0.0.0";
    b.protocol = p.value("protocol", "tcp") == "udp" ? net::Protocol::Udp : net::Protocol::Tcp;
    b.container_ip = container_ip;
    b.container_port = p["target"].is_number() ? p["target"].get<std::uint16_t>() : port_number(p["target"].get<std::string>(), what);
    b.owner = owner;
    std::string published = p.contains("published") ? (p["published"].is_string() ? p["published"].get<std::string>() : p["published"].dump()) : "";
    if (auto dash = published.find('-'); dash != std::string::npos) {
      b.host_port = port_number(published.substr(0, dash), what);
      b.host_port_end = port_number(published.substr(dash + 1), what);
    } else if (!published.empty()) {
      b.host_port = port_number(published, what);
    }
    out.push_back(b);
  }
  return out;
}

nlohmann::json published_json(const std::vector<net::PublishedPort>& ports) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : ports)
    out.push_back({{"host_ip", p.host_ip},
                   {"host_port", p.host_port},
                   {"protocol", net::protocol_name(p.protocol)},
                   {"container_ip", p.container_ip},
                   {"container_port", p.container_port}});
  return out;
}

std::vector<net::PublishedPort> read_published(const std::filesystem::path& container_dir) {
  std::vector<net::PublishedPort> out;
  const auto file = container_dir / "ports.json";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return out;
  for (const auto& p : nlohmann::json::parse(fs::read_file(file))) {
    net::PublishedPort port;
    port.host_ip = p.at("host_ip").get<std::string>();
    port.host_port = p.at("host_port").get<std::uint16_t>();
    port.protocol = p.at("protocol") == "udp" ? net::Protocol::Udp : net::Protocol::Tcp;
    port.container_ip = p.value("container_ip", "");
    port.container_port = p.at("container_port").get<std::uint16_t>();
    out.push_back(port);
  }
  return out;
}

std::vector<net::ForwardedPort> forwarded_ports(const std::vector<net::PublishedPort>& published) {
  std::vector<net::ForwardedPort> out;
  for (const auto& p : published) out.push_back({net::protocol_name(p.protocol), p.host_ip, p.host_port, p.container_port});
  return out;
}

void ProjectState::publish_ports(const std::string& service, const ContainerRecord& rec, const std::string& network, const net::Endpoint& ep) {
  const auto bindings = port_bindings(service, services[service], rec.name, ep.ip);
  if (bindings.empty() || !hooks.publish) return;
  const auto published = hooks.publish(bindings);
  fs::write_file_atomic(store.folder(rec.id) / "ports.json", published_json(published).dump());
  networks.forward_ports(network, rec.id, forwarded_ports(published));
}

}  // namespace mycompose::scheduler
