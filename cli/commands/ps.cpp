// `mycompose ps`: the project's containers (running ones unless -a) as docker compose
// lists them: a table, JSON lines, IDs (-q) or service names (--services).
#include <iostream>
#include <set>

#include "commands.hpp"
#include "container_table.hpp"
#include "flags/ps.hpp"
#include "mycompose/common/error.hpp"
#include "project_from_labels.hpp"
#include "ps_format.hpp"

namespace mycompose::cli {

void register_ps(CLI::App& app, Context& ctx) {
  static flags::PsOptions o;
  auto* cmd = flags::add_ps(app, o);
  cmd->callback([&ctx, cmd] {
    std::vector<std::string> statuses = o.status;
    if (!o.filter.empty()) {
      if (o.filter.rfind("status=", 0) != 0) throw Error("invalid filter \"" + o.filter + "\": only status=<status> is supported");
      statuses.push_back(o.filter.substr(7));
    }
    // docker compose: the Docker CLI's psFormat when --format is not given.
    std::string format = o.format;
    if (!cmd->count("--format"))
      if (const std::string configured = docker_config_ps_format(); !configured.empty()) format = configured;
    std::string name;
    if (by_name_only(ctx) || o.services.empty()) {
      name = project_name(ctx);
    } else {
      const compose::Project project = project_or_name(ctx, o.services);  // its services are the ones to ask for
      name = project.name;
      const auto defined = project.model.value("services", nlohmann::ordered_json::object());
      for (const auto& s : o.services)
        if (!defined.contains(s)) throw Error("no such service: " + s);
    }
    std::vector<nlohmann::json> shown;
    auto all = engine_get("/projects/" + name + "/containers");
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.value("Name", "") < b.value("Name", ""); });
    for (auto c : all) {
      const std::string state = c.value("State", "");
      if (!o.services.empty() && std::find(o.services.begin(), o.services.end(), c.value("Service", "")) == o.services.end()) continue;
      // A pre_start runner is no container of its service (docker compose lists none).
      if (c.value("Labels", "").find("com.docker.compose.hook=pre_start") != std::string::npos) continue;
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
    } else {
      std::cout << format_containers(format, shown, !o.no_trunc);
    }
  });
}

}  // namespace mycompose::cli
