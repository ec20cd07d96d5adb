// `mycompose rm [-f] [-s] [-v]`: the services' stopped containers removed, after asking
// "Going to remove … Are you sure? [yN]" unless -f; -s stops them first, -v also removes
// their anonymous volumes.
#include <iostream>

#include "commands.hpp"
#include "project_from_labels.hpp"
#include "container_table.hpp"
#include "flags/rm.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_rm(CLI::App& app, Context& ctx) {
  static flags::RmOptions o;
  auto* cmd = flags::add_rm(app, o);
  cmd->callback([&ctx] {
    const compose::Project project = project_or_name(ctx, o.services);
    if (o.stop) run_project_verb(project, "stop", {{"services", o.services}});
    std::vector<std::string> ids, names;
    for (const auto& c : engine_get("/projects/" + project.name + "/containers")) {
      const std::string state = c.value("State", "");
      if (state == "running" || state == "paused" || state == "restarting") continue;
      const std::string service = c.value("Service", "");
      if (!o.services.empty() && std::find(o.services.begin(), o.services.end(), service) == o.services.end()) continue;
      ids.push_back(c.value("ID", ""));
      names.push_back(c.value("Name", ""));
    }
    if (ids.empty()) {
      std::cerr << "No stopped containers\n";
      return;
    }
    std::string msg = "Going to remove";
    for (std::size_t i = 0; i < names.size(); ++i) msg += (i ? ", " : " ") + names[i];
    if (o.force) std::cout << msg << "\n";
    else if (!confirm(msg + "\nAre you sure? [yN] ")) return;
    run_project_verb(project, "rm", {{"containers", ids}, {"volumes", o.volumes}});
  });
}

}  // namespace mycompose::cli
