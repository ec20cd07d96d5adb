// `mycompose volumes [SERVICE…]` (docker compose volumes): the project's volumes that exist,
// or those the named services mount.
#include <algorithm>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "commands/flags/common.hpp"
#include "commands/sys_output.hpp"
#include "mycompose/scheduler/volumes.hpp"

namespace mycompose::cli {

namespace {

struct VolumesOptions {
  std::vector<std::string> services;
  std::string format = "table";
  bool quiet = false;
};

// Compose volume key → its name on the host ("data" → "shop_data", or its name:).
std::map<std::string, std::string> volume_names(const compose::Project& project) {
  std::map<std::string, std::string> out;
  const nlohmann::ordered_json volumes = project.model.value("volumes", nlohmann::ordered_json::object());  // items() needs a named object
  for (const auto& [key, entry] : volumes.items())
    out[key] = entry.is_object() && entry.contains("name") ? entry["name"].get<std::string>() : project.name + "_" + key;
  return out;
}

int run_volumes(Context& ctx, const VolumesOptions& o) {
  auto project = compose::load_project(ctx.load_options(o.services));
  const auto names = volume_names(project);
  std::set<std::string> wanted;
  const auto services = project.model.value("services", nlohmann::ordered_json::object());
  for (const auto& s : o.services)
    if (!services.contains(s)) throw Error("no such service: " + s);
  for (const auto& [service, def] : services.items()) {
    if (!o.services.empty() && std::find(o.services.begin(), o.services.end(), service) == o.services.end()) continue;
    for (const auto& v : def.value("volumes", nlohmann::ordered_json::array())) {
      if (v.value("type", "") != "volume") continue;
      auto it = names.find(v.value("source", ""));
      if (it != names.end()) wanted.insert(it->second);
    }
  }
  std::vector<scheduler::VolumeInfo> shown;
  for (auto& v : scheduler::list_volumes(sys_output::state_root())) {
    auto project_label = v.labels.find("com.docker.compose.project");
    const bool of_project = (project_label != v.labels.end() && project_label->second == project.name) ||
                            std::any_of(names.begin(), names.end(), [&](const auto& n) { return n.second == v.name; });
    if (!of_project || (!o.services.empty() && !wanted.count(v.name))) continue;
    shown.push_back(std::move(v));
  }
  if (o.quiet) {
    for (const auto& v : shown) std::cout << v.name << "\n";
  } else if (o.format == "json") {
    for (const auto& v : shown) std::cout << v.inspect_json().dump() << "\n";
  } else if (o.format == "table") {
    std::vector<std::vector<std::string>> rows{{"DRIVER", "VOLUME NAME"}};
    for (const auto& v : shown) rows.push_back({"local", v.name});
    sys_output::print_table(rows);
  } else {
    for (const auto& v : shown) std::cout << sys_output::render_template(o.format, v.inspect_json()) << "\n";
  }
  return 0;
}

}  // namespace

void register_volumes(CLI::App& app, Context& ctx) {
  static VolumesOptions o;
  auto* cmd = app.add_subcommand("volumes", "List volumes");
  cmd->add_option("--format", o.format, "Format output: table, json or a template")->capture_default_str();
  cmd->add_flag("-q,--quiet", o.quiet, "Only display volume names");
  flags::add_services(cmd, o.services);
  cmd->callback([&ctx] { ctx.exit_code = run_volumes(ctx, o); });
}

}  // namespace mycompose::cli
