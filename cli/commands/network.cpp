// `mycompose network ls|inspect|rm|prune`, as `docker network`, through the engine (so its
// DNS forgets a removed network).
#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "commands/flags/network.hpp"
#include "commands/sys_output.hpp"
#include "engine_client.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {

namespace {

using nlohmann::json;
using sys_output::engine_op;
using sys_output::state_root;

std::map<std::string, std::string> labels_of(const json& n) {
  return n.value("Labels", json::object()).get<std::map<std::string, std::string>>();
}

bool matches(const json& n, const std::multimap<std::string, std::string>& filters) {
  for (const auto& [key, value] : filters) {
    const std::string name = n.value("Name", ""), id = n.value("Id", "");
    if (key == "name" && name.find(value) == std::string::npos) return false;
    if (key == "id" && id.rfind(value, 0) != 0) return false;
    if (key == "label" && !sys_output::label_matches(labels_of(n), value)) return false;
    if (key == "driver" && n.value("Driver", "") != value) return false;
    if (key == "scope" && value != "local") return false;
    if (key == "type" && value != "custom") return false;  // no predefined networks here
    if (key == "dangling") {
      const bool dangling = n.value("Containers", json::object()).empty();
      if ((value == "true" || value == "1") != dangling) return false;
    }
  }
  return true;
}

std::string joined_labels(const json& n) {
  std::string s;
  for (const auto& [k, v] : labels_of(n)) s += (s.empty() ? "" : ",") + k + "=" + v;
  return s;
}

int run_ls(const flags::NetworkOptions& o) {
  const auto filters = sys_output::parse_filters(o.ls.filters, {"name", "id", "label", "driver", "scope", "type", "dangling"});
  std::vector<json> shown;
  for (const auto& n : EngineClient::connect(state_root()).call("GET", "/networks"))
    if (matches(n, filters)) shown.push_back(n);
  std::sort(shown.begin(), shown.end(), [](const json& a, const json& b) { return a.value("Name", "") < b.value("Name", ""); });
  auto id_of = [&](const json& n) {
    const std::string id = n.value("Id", "");
    return o.ls.no_trunc ? id : id.substr(0, 12);
  };
  if (o.ls.quiet) {
    for (const auto& n : shown) std::cout << id_of(n) << "\n";
  } else if (o.ls.format == "json") {
    for (const auto& n : shown)
      std::cout << nlohmann::ordered_json{{"CreatedAt", n.value("Created", "")},
                                          {"Driver", n.value("Driver", "")},
                                          {"ID", id_of(n)},
                                          {"IPv6", "false"},
                                          {"Internal", n.value("Internal", false) ? "true" : "false"},
                                          {"Labels", joined_labels(n)},
                                          {"Name", n.value("Name", "")},
                                          {"Scope", "local"}}
                       .dump()
                << "\n";
  } else {
    std::vector<std::vector<std::string>> rows{{"NETWORK ID", "NAME", "DRIVER", "SCOPE"}};
    for (const auto& n : shown) rows.push_back({id_of(n), n.value("Name", ""), n.value("Driver", ""), "local"});
    sys_output::print_table(rows);
  }
  return 0;
}

int run_inspect(const flags::NetworkOptions& o) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  int rc = 0;
  for (const auto& name : o.inspect.names) {
    auto r = EngineClient::connect(state_root()).request("GET", "/networks/" + name);
    if (r.status == 404) {
      std::cerr << "error: network " << name << " not found\n";
      rc = 1;
      continue;
    }
    auto n = nlohmann::ordered_json::parse(r.body);
    if (r.status >= 400) throw Error(n.value("message", r.body));
    if (!o.inspect.format.empty()) std::cout << sys_output::render_template(o.inspect.format, n) << "\n";
    else out.push_back(n);
  }
  if (o.inspect.format.empty()) std::cout << out.dump(4) << "\n";
  return rc;
}

int run_rm(const flags::NetworkOptions& o) {
  int rc = 0;
  for (const auto& name : o.rm.names) {
    try {
      engine_op("DELETE", "/networks/" + name);
      std::cout << name << "\n";
    } catch (const Error& e) {
      const std::string what = e.what();
      if (o.rm.force && what == "network " + name + " not found") continue;
      std::cerr << "error: " << what << "\n";
      rc = 1;
    }
  }
  return rc;
}

int run_prune(const flags::NetworkOptions& o) {
  sys_output::parse_filters(o.prune.filters, {"label", "label!"});
  if (!o.prune.force && !sys_output::confirm("WARNING! This will remove all custom networks not used by at least one container."))
    return 0;
  const json done = engine_op("POST", "/networks/prune", {{"filters", o.prune.filters}});
  const auto deleted = done.value("deleted", std::vector<std::string>{});
  if (!deleted.empty()) {
    std::cout << "Deleted Networks:\n";
    for (const auto& d : deleted) std::cout << d << "\n";
  }
  return 0;
}

}  // namespace

void register_network(CLI::App& app, Context& ctx) {
  static flags::NetworkOptions o;
  auto* cmd = flags::add_network(app, o);
  cmd->get_subcommand("ls")->callback([&ctx] { ctx.exit_code = run_ls(o); });
  cmd->get_subcommand("inspect")->callback([&ctx] { ctx.exit_code = run_inspect(o); });
  cmd->get_subcommand("rm")->callback([&ctx] { ctx.exit_code = run_rm(o); });
  cmd->get_subcommand("prune")->callback([&ctx] { ctx.exit_code = run_prune(o); });
}

}  // namespace mycompose::cli
