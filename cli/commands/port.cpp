// `mycompose port SERVICE PRIVATE_PORT`: the public address a container port is published on.
#include <iostream>

#include "commands.hpp"
#include "container_table.hpp"
#include "flags/port.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {

namespace {

// ps's "Labels" is "k=v,k=v" sorted by key: find com.docker.compose.container-number=<n>.
bool has_number(const nlohmann::json& c, int n) {
  const std::string labels = c.value("Labels", ""), want = "com.docker.compose.container-number=" + std::to_string(n);
  for (std::size_t pos = labels.find(want); pos != std::string::npos; pos = labels.find(want, pos + 1)) {
    const std::size_t end = pos + want.size();
    if ((pos == 0 || labels[pos - 1] == ',') && (end == labels.size() || labels[end] == ',')) return true;
  }
  return false;
}

}  // namespace

void register_port(CLI::App& app, Context& ctx) {
  static flags::PortOptions o;
  auto* cmd = flags::add_port(app, o);
  cmd->callback([&ctx] {
    const int index = o.index == 0 ? 1 : o.index;
    for (const auto& c : engine_get("/projects/" + project_name(ctx) + "/containers")) {
      if (c.value("Service", "") != o.service || !has_number(c, index)) continue;
      for (const auto& p : c.value("Publishers", nlohmann::json::array()))
        if (p.value("TargetPort", 0) == o.private_port && p.value("Protocol", "tcp") == o.protocol) {
          std::cout << p.value("URL", "") << ":" << p.value("PublishedPort", 0) << "\n";
          return;
        }
      throw Error("no port " + std::to_string(o.private_port) + "/" + o.protocol + " for container " + c.value("Name", ""));
    }
    throw Error("service \"" + o.service + "\" has no container with index " + std::to_string(index));
  });
}

}  // namespace mycompose::cli
