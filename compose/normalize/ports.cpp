// ports: the short syntax `[[HOST_IP:]HOST[-RANGE]:]CONTAINER[-RANGE][/PROTOCOL]` (host IP
// may be IPv6, bracketed or not; ranges expand to one entry per port) and the long form,
// both to compose's long form: {mode: ingress, host_ip, target: int, published: "str",
// protocol: tcp}.
#include <arpa/inet.h>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {

struct Range {
  int start = 0, end = 0;
};

bool valid_ip(const std::string& ip) {
  unsigned char buf[16];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

// "80" or "8000-8010"; nullopt when not a valid port or range.
std::optional<Range> parse_range(const std::string& s, int min) {
  auto dash = s.find('-');
  auto a = parse_int(s.substr(0, dash));
  auto b = dash == std::string::npos ? a : parse_int(s.substr(dash + 1));
  if (!a || !b || s[0] == '+' || s[0] == '-' || *a < min || *b > 65535 || *b < *a) return std::nullopt;
  return Range{static_cast<int>(*a), static_cast<int>(*b)};
}

json port(const std::string& host_ip, int target, const std::string& published, const std::string& protocol) {
  json p = json::object();
  p["mode"] = "ingress";
  if (!host_ip.empty()) p["host_ip"] = host_ip;
  p["target"] = target;
  if (!published.empty()) p["published"] = published;
  p["protocol"] = protocol;
  return p;
}

void check_protocol(const std::string& proto, const Node& node, const std::string& path, const std::string& spec) {
  if (proto != "tcp" && proto != "udp" && proto != "sctp")
    throw ComposeError(node.mark, path + ": invalid port \"" + spec + "\": protocol \"" + proto +
                                      "\" is not tcp, udp or sctp");
}

void short_syntax(const Node& node, const std::string& path, json& out) {
  const std::string& spec = node.value;
  auto fail = [&](const std::string& why) -> void {
    throw ComposeError(node.mark, path + ": invalid port \"" + spec + "\": " + why);
  };
  std::string rest = spec, proto = "tcp";
  if (auto slash = rest.rfind('/'); slash != std::string::npos) {
    proto = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    check_protocol(proto, node, path, spec);
  }
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    auto colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  std::size_t n = parts.size();
  std::string container = parts[n - 1], host, ip;
  if (n == 2) host = parts[0];
  if (n == 3) ip = parts[0], host = parts[1];
  if (n > 3) {
    for (std::size_t i = 0; i + 2 < n; ++i) ip += (i ? ":" : "") + parts[i];
    host = parts[n - 2];
  }
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (n >= 3 && !valid_ip(ip)) fail("\"" + ip + "\" is not an IP address");
  if (container.empty()) fail("no container port");
  auto c = parse_range(container, 1);
  if (!c) fail("container port \"" + container + "\" is not a port number (1-65535) or range");
  if (host.empty()) {
    for (int p = c->start; p <= c->end; ++p) out.push_back(port(ip, p, "", proto));
    return;
  }
  auto h = parse_range(host, 0);
  if (!h) fail("host port \"" + host + "\" is not a port number (0-65535) or range");
  if (c->start == c->end) {  // one container port, any free host port of the range
    out.push_back(port(ip, c->start, host, proto));
    return;
  }
  if (h->end - h->start != c->end - c->start) fail("host and container port ranges have different sizes");
  for (int k = 0; k <= c->end - c->start; ++k)
    out.push_back(port(ip, c->start + k, std::to_string(h->start + k), proto));
}

json long_syntax(const Node& node, const Type& type, Walk& w, const std::string& path) {
  json j = convert_object(node, *type.elem, w, path);
  if (!j.contains("target")) throw ComposeError(node.mark, path + ": missing required key \"target\"");
  const Node* t = node.find("target");
  if (j["target"].get<std::int64_t>() < 1 || j["target"].get<std::int64_t>() > 65535)
    throw ComposeError(t->mark, path + ".target: " + t->value + " is not a port number (1-65535)");
  if (j.contains("published")) {
    std::string pub = j["published"].get<std::string>();
    if (!pub.empty() && !parse_range(pub, 0))
      throw ComposeError(node.find("published")->mark,
                         path + ".published: \"" + pub + "\" is not a port number (0-65535) or range");
  }
  if (j.contains("host_ip") && !valid_ip(j["host_ip"].get<std::string>()))
    throw ComposeError(node.find("host_ip")->mark,
                       path + ".host_ip: \"" + j["host_ip"].get<std::string>() + "\" is not an IP address");
  if (!j.contains("mode")) j["mode"] = "ingress";
  if (!j.contains("protocol")) j["protocol"] = "tcp";
  check_protocol(j["protocol"].get<std::string>(), node, path, j["protocol"].get<std::string>());
  json out = json::object();  // canonical key order
  for (const auto& p : type.elem->props)
    if (j.contains(std::string(p.key))) out[std::string(p.key)] = j[std::string(p.key)];
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!out.contains(it.key())) out[it.key()] = it.value();
  return out;
}

}  // namespace

json ports(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (!node.is_sequence()) type_error(node, path, "a list");
  json out = json::array();
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const Node& item = node.items[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    if (item.is_map()) out.push_back(long_syntax(item, type, w, p));
    else if (item.is_scalar()) short_syntax(item, p, out);
    else type_error(item, p, "a string, a number or a mapping");
  }
  return out;
}

}  // namespace mycompose::compose::schema
