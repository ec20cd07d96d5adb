#include "exposed_ports.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "mycompose/common/fs.hpp"
#include "mycompose/common/json_limits.hpp"

namespace mycompose::scheduler {
namespace {

std::optional<int> port_of(std::string_view text) {
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > 65535) return std::nullopt;
  return n;
}

// "9091", "9091-9092", "53/udp", "9091-9092/tcp".
void add_spec(std::set<ExposedPort>& out, const std::string& spec) {
  const auto slash = spec.find('/');
  const std::string range = spec.substr(0, slash);
  std::string proto = slash == std::string::npos ? "tcp" : spec.substr(slash + 1);
  if (proto.empty()) proto = "tcp";
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return;
  const auto dash = range.find('-');
  const auto first = port_of(std::string_view(range).substr(0, dash));
  const auto last = dash == std::string::npos ? first : port_of(std::string_view(range).substr(dash + 1));
  if (!first || !last || *last < *first) return;
  for (int p = *first; p <= *last; ++p) out.insert({p, proto});
}

}  // namespace

std::vector<ExposedPort> exposed_ports(const nlohmann::ordered_json& definition, const nlohmann::json& image) {
  std::set<ExposedPort> out;
  const auto config = image.is_object() ? image.value("config", nlohmann::json::object()) : nlohmann::json::object();
  if (config.is_object() && config.contains("ExposedPorts") && config["ExposedPorts"].is_object())
    for (const auto& [spec, _] : config["ExposedPorts"].items()) add_spec(out, spec);
  if (definition.contains("expose") && definition["expose"].is_array())
    for (const auto& e : definition["expose"]) add_spec(out, e.is_string() ? e.get<std::string>() : e.dump());
  if (definition.contains("ports") && definition["ports"].is_array())
    for (const auto& p : definition["ports"]) {
      if (!p.is_object() || !p.contains("target")) continue;
      const auto& t = p["target"];
      add_spec(out, (t.is_string() ? t.get<std::string>() : t.dump()) + "/" + p.value("protocol", "tcp"));
    }
  return {out.begin(), out.end()};
}

void write_exposed(const std::filesystem::path& container_dir, const std::vector<ExposedPort>& ports) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [port, proto] : ports) j.push_back({port, proto});
  fs::write_file_atomic(container_dir / "exposed.json", j.dump(), 0600);
}

std::vector<ExposedPort> read_exposed(const std::filesystem::path& container_dir) {
  std::vector<ExposedPort> out;
  try {
    for (const auto& p : parse_json_bounded(fs::read_file(container_dir / "exposed.json", 4 << 20)))
      out.emplace_back(p.at(0).get<int>(), p.at(1).get<std::string>());
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace mycompose::scheduler
