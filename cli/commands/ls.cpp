// `mycompose ls`: the projects that have containers on this engine (running ones unless -a),
// from their containers' labels.
#include <iostream>

#include "commands.hpp"
#include "container_table.hpp"
#include "flags/ls.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {

void register_ls(CLI::App& app, Context&) {
  static flags::LsOptions o;
  auto* cmd = flags::add_ls(app, o);
  cmd->callback([] {
    std::string name_filter;
    if (!o.filter.empty()) {
      if (o.filter.rfind("name=", 0) != 0) throw Error("invalid filter \"" + o.filter + "\": only name=<name> is supported");
      name_filter = o.filter.substr(5);
    }
    nlohmann::json shown = nlohmann::json::array();
    for (const auto& p : engine_get("/projects")) {
      const std::string name = p.value("Name", "");
      const auto states = p.value("States", std::map<std::string, int>{});
      if (!o.all && !states.count("running")) continue;
      if (!name_filter.empty() && name.find(name_filter) == std::string::npos) continue;
      std::string status;
      for (const auto& [state, n] : states) status += (status.empty() ? "" : ", ") + state + "(" + std::to_string(n) + ")";
      shown.push_back({{"Name", name}, {"Status", status}, {"ConfigFiles", p.value("ConfigFiles", "")}});
    }
    if (o.quiet) {
      for (const auto& p : shown) std::cout << p["Name"].get<std::string>() << "\n";
    } else if (o.format == "json") {
      std::cout << shown.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows = {{"NAME", "STATUS", "CONFIG FILES"}};
      for (const auto& p : shown) rows.push_back({p["Name"], p["Status"], p["ConfigFiles"]});
      std::cout << render_table(rows, 20, 3);
    }
  });
}

}  // namespace mycompose::cli
