#include <fcntl.h>
#include <unistd.h>

#include "mycompose/common/error.hpp"
#include "mycompose/net/network.hpp"

namespace mycompose::net {

NetworkMode parse_network_mode(std::string_view value) {
  using K = NetworkMode::Kind;
  if (value.empty() || value == "bridge" || value == "default") return {K::Bridge, ""};
  if (value == "host") return {K::Host, ""};
  if (value == "none") return {K::None, ""};
  for (auto [prefix, kind] : {std::pair{std::string_view("container:"), K::Container},
                              std::pair{std::string_view("service:"), K::Service}}) {
    if (value.substr(0, prefix.size()) == prefix) {
      auto target = value.substr(prefix.size());
      if (target.empty()) throw Error("network_mode \"" + std::string(value) + "\": missing name after ':'");
      return {kind, std::string(target)};
    }
  }
  throw Error("network_mode \"" + std::string(value) +
              "\" is not supported (use bridge, host, none, container:NAME or service:NAME)");
}

std::optional<nlohmann::json> oci_network_namespace(const NetworkMode& mode,
                                                    const std::string& joined_netns_path) {
  using K = NetworkMode::Kind;
  switch (mode.kind) {
    case K::Host:
      return std::nullopt;
    case K::Bridge:
    case K::None:
      return nlohmann::json{{"type", "network"}};
    case K::Container:
    case K::Service:
      if (joined_netns_path.empty())
        throw Error("network_mode " + std::string(mode.kind == K::Container ? "container:" : "service:") +
                    mode.target + ": the network namespace to join is unknown (is it running?)");
      return nlohmann::json{{"type", "network"}, {"path", joined_netns_path}};
  }
  return std::nullopt;
}

UniqueFd NetnsRef::open() const {
  if (auto* pid = std::get_if<pid_t>(&v_)) {
    auto path = "/proc/" + std::to_string(*pid) + "/ns/net";
    return UniqueFd(int(check_syscall(::open(path.c_str(), O_RDONLY | O_CLOEXEC), "open " + path)));
  }
  if (auto* p = std::get_if<std::filesystem::path>(&v_))
    return UniqueFd(int(check_syscall(::open(p->c_str(), O_RDONLY | O_CLOEXEC), "open " + p->string())));
  int fd = std::get<Fd>(v_).fd;
  return UniqueFd(int(check_syscall(fcntl(fd, F_DUPFD_CLOEXEC, 0), "dup netns fd " + std::to_string(fd))));
}

std::string NetnsRef::describe() const {
  if (auto* pid = std::get_if<pid_t>(&v_)) return "network namespace of pid " + std::to_string(*pid);
  if (auto* p = std::get_if<std::filesystem::path>(&v_)) return "network namespace " + p->string();
  return "network namespace fd " + std::to_string(std::get<Fd>(v_).fd);
}

}  // namespace mycompose::net
