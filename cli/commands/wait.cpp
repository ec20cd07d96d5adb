// `mycompose wait SERVICE…`: blocks until the first of the services' containers stops,
// prints its exit code and exits with it; --down-project then takes the project down.
#include <iostream>

#include "commands.hpp"
#include "project_from_labels.hpp"
#include "container_table.hpp"
#include "flags/wait.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_wait(CLI::App& app, Context& ctx) {
  static flags::WaitOptions o;
  auto* cmd = flags::add_wait(app, o);
  cmd->callback([&ctx] {
    const compose::Project project = project_or_name(ctx, o.services);
    const nlohmann::json body = {{"services", o.services}};
    const nlohmann::json r = connect_engine().call("POST", "/projects/" + project.name + "/wait", body);
    const int code = r.value("ExitCode", -1);
    std::cout << code << "\n";
    if (o.down_project) run_project_verb(project, "down", nlohmann::json::object());
    ctx.exit_code = code;
  });
}

}  // namespace mycompose::cli
