// `mycompose ps`: the project's containers (running ones unless -a) as docker compose
// lists them: a table, JSON lines, IDs (-q) or service names (--services).
#include <iostream>
#include <set>

#include "commands.hpp"
#include "container_table.hpp"
#include "flags/ps.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {

void register_ps(CLI::App& app, Context& ctx) {
  static flags::PsOptions o;
  auto* cmd = flags::add_ps(app, o);
  cmd->callback([&ctx] {
    std::vector<std::string> statuses = o.status;
    if (!o.filter.empty()) {
      if (o.filter.rfind("status=", 0) != 0) throw Error("invalid filter \"" + o.filter + "\": only status=<status> is supported");
      statuses.push_back(o.filter.substr(7));
    }
    if (o.format != "table" && o.format != "json") throw Error("mycompose ps --format " + o.format + ": only table and json are supported");
    const std::string name = project_name(ctx);
    std::vector<nlohmann::json> shown;
    for (auto c : engine_get("/projects/" + name + "/containers")) {
      const std::string state = c.value("State", "");
      if (!o.services.empty() && std::find(o.services.begin(), o.services.end(), c.value("Service", "")) == o.services.end()) continue;
      if (!statuses.empty()) {
        if (std::find(statuses.begin(), statuses.end(), state) == statuses.end()) continue;
      } else if (!o.all && state != "running" && state != "paused" && state != "restarting") {
        continue;
      }
      const std::string command = c.value("Command", "");
      c["Command"] = go_quote(o.no_trunc ? command : ellipsis(command, 20));
      shown.push_back(c);
    }
    if (o.quiet) {
      for (const auto& c : shown) std::cout << c.value("ID", "") << "\n";
    } else if (o.services_only) {
      std::set<std::string> seen;
      for (const auto& c : shown)
        if (seen.insert(c.value("Service", "")).second) std::cout << c.value("Service", "") << "\n";
    } else if (o.format == "json") {
      for (const auto& c : shown) std::cout << c.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows = {{"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"}};
      for (const auto& c : shown)
        rows.push_back({c.value("Name", ""), c.value("Image", ""), c.value("Command", ""), c.value("Service", ""),
                        c.value("RunningFor", ""), c.value("Status", ""), c.value("Ports", "")});
      std::cout << render_table(rows);
    }
  });
}

}  // namespace mycompose::cli
