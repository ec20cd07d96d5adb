// `mycompose top`: the processes of each running container, read from its cgroup.
#include <iostream>

#include "commands.hpp"
#include "container_table.hpp"
#include "flags/top.hpp"

namespace mycompose::cli {

void register_top(CLI::App& app, Context& ctx) {
  static flags::TopOptions o;
  auto* cmd = flags::add_top(app, o);
  cmd->callback([&ctx] {
    for (const auto& c : engine_get("/projects/" + project_name(ctx) + "/top")) {
      if (!o.services.empty() && std::find(o.services.begin(), o.services.end(), c.value("Service", "")) == o.services.end()) continue;
      std::vector<std::vector<std::string>> rows = {c["Titles"].get<std::vector<std::string>>()};
      for (const auto& p : c["Processes"]) rows.push_back(p.get<std::vector<std::string>>());
      std::cout << c.value("Name", "") << "\n" << render_table(rows, 5, 3) << "\n";
    }
  });
}

}  // namespace mycompose::cli
