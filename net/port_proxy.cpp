#include "mycompose/net/port_proxy.hpp"

#include <netinet/in.h>

#include <algorithm>

#include "mycompose/common/error.hpp"
#include "port_forwarders.hpp"

namespace mycompose::net {

const char* protocol_name(Protocol p) { return p == Protocol::Tcp ? "tcp" : "udp"; }

struct PortProxyCore {
  struct Entry {
    PublishedPort port;
    uvutil::UvObject* listener;
  };
  uv_loop_t* loop;
  PortProxyOptions options;
  std::vector<Entry> entries;
  std::shared_ptr<ports::TcpTotals> tcp_totals = std::make_shared<ports::TcpTotals>();

  ~PortProxyCore() {
    for (auto& e : entries) e.listener->close();
  }
};

namespace {

bool is_wildcard(const std::string& ip) { return ip == "0.0.0.0" || ip == "::"; }

std::string where(const std::string& ip, std::uint16_t port, Protocol p) {
  std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return host + ":" + std::to_string(port) + "/" + protocol_name(p);
}

// One host port -> one container port.
struct Pair {
  std::uint16_t host, container;
};

}  // namespace

PortProxy::PortProxy(uv_loop_t* loop, PortProxyOptions options) : core_(std::make_unique<PortProxyCore>()) {
  core_->loop = loop;
  core_->options = options;
}

PortProxy::~PortProxy() = default;

std::vector<PublishedPort> PortProxy::publish(const PortBinding& b) {
  std::string host_ip = b.host_ip.empty() ? "0.0.0.0" : b.host_ip;
  sockaddr_storage host{}, target{};
  if (!uvutil::parse_endpoint(host_ip, 0, host) || host_ip.front() == '[')
    throw Error("cannot publish port: invalid host IP \"" + b.host_ip + "\"");
  if (!uvutil::parse_endpoint(b.container_ip, 0, target) || b.container_ip.front() == '[')
    throw Error("cannot publish port: invalid container IP \"" + b.container_ip + "\"");

  std::uint16_t c_end = b.container_port_end ? b.container_port_end : b.container_port;
  std::uint16_t h_end = b.host_port_end ? b.host_port_end : b.host_port;
  if (b.container_port == 0 || c_end < b.container_port) throw Error("cannot publish port: invalid container port range");
  if (h_end < b.host_port) throw Error("cannot publish port: invalid host port range");
  std::size_t c_len = c_end - b.container_port + 1u;
  std::size_t h_len = h_end - b.host_port + 1u;

  // Which host ports to try for each container port.
  std::vector<std::vector<std::uint16_t>> candidates;
  for (std::size_t i = 0; i < c_len; ++i) {
    std::vector<std::uint16_t> c;
    if (b.host_port == 0)
      c = {0};
    else if (h_len == c_len)
      c = {static_cast<std::uint16_t>(b.host_port + i)};
    else if (c_len == 1)
      for (std::size_t p = b.host_port; p <= h_end; ++p) c.push_back(static_cast<std::uint16_t>(p));
    else
      throw Error("cannot publish port: host range " + std::to_string(b.host_port) + "-" + std::to_string(h_end) +
                  " and container range " + std::to_string(b.container_port) + "-" + std::to_string(c_end) +
                  " differ in length");
    candidates.push_back(std::move(c));
  }

  std::vector<PortProxyCore::Entry> added;
  auto undo = [&] {
    for (auto& e : added) e.listener->close();
  };
  for (std::size_t i = 0; i < c_len; ++i) {
    std::uint16_t cport = static_cast<std::uint16_t>(b.container_port + i);
    std::string last_error;
    uvutil::UvObject* listener = nullptr;
    std::uint16_t bound = 0;
    for (std::uint16_t hport : candidates[i]) {
      auto ours = std::find_if(core_->entries.begin(), core_->entries.end(), [&](const PortProxyCore::Entry& e) {
        return hport != 0 && e.port.host_port == hport && e.port.protocol == b.protocol &&
               (e.port.host_ip == host_ip || is_wildcard(e.port.host_ip) || is_wildcard(host_ip));
      });
      if (ours != core_->entries.end()) {
        last_error = "cannot publish " + where(host_ip, hport, b.protocol) + ": port is already published by " +
                     (ours->port.owner.empty() ? "another container" : ours->port.owner);
        continue;
      }
      sockaddr_storage h = host, t = target;
      reinterpret_cast<sockaddr_in*>(&h)->sin_port = htons(hport);  // sin_port and sin6_port share their offset
      reinterpret_cast<sockaddr_in*>(&t)->sin_port = htons(cport);
      int err = 0;
      listener = b.protocol == Protocol::Tcp ? ports::open_tcp_forwarder(core_->loop, h, t, core_->options, core_->tcp_totals, err, bound)
                                             : ports::open_udp_forwarder(core_->loop, h, t, core_->options, err, bound);
      if (listener) break;
      if (err == UV_EADDRINUSE) {
        std::string who = port_holder(b.protocol, hport);
        last_error = "cannot publish " + where(host_ip, hport, b.protocol) + ": port is already in use by " +
                     (who.empty() ? "another process" : who);
      } else {
        last_error = "cannot publish " + where(host_ip, hport, b.protocol) + ": " + uvutil::uv_error_text(err);
      }
    }
    if (!listener) {
      undo();
      if (candidates[i].size() > 1)
        throw Error(last_error + " (and no other port of " + std::to_string(b.host_port) + "-" + std::to_string(h_end) + " is free)");
      throw Error(last_error);
    }
    added.push_back({{host_ip, bound, b.protocol, b.container_ip, cport, b.owner}, listener});
  }
  std::vector<PublishedPort> out;
  for (auto& e : added) {
    out.push_back(e.port);
    core_->entries.push_back(e);
  }
  return out;
}

void PortProxy::unpublish(const std::string& host_ip, std::uint16_t host_port, Protocol protocol) {
  std::string ip = host_ip.empty() ? "0.0.0.0" : host_ip;
  std::erase_if(core_->entries, [&](PortProxyCore::Entry& e) {
    if (e.port.host_ip != ip || e.port.host_port != host_port || e.port.protocol != protocol) return false;
    e.listener->close();
    return true;
  });
}

void PortProxy::unpublish_owner(const std::string& owner) {
  std::erase_if(core_->entries, [&](PortProxyCore::Entry& e) {
    if (e.port.owner != owner) return false;
    e.listener->close();
    return true;
  });
}

std::vector<PublishedPort> PortProxy::published() const {
  std::vector<PublishedPort> out;
  for (const auto& e : core_->entries) out.push_back(e.port);
  return out;
}

}  // namespace mycompose::net
