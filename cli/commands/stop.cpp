// `mycompose stop [-t N]`: the services' containers stopped, dependents first.
#include "container_table.hpp"
#include "commands.hpp"
#include "project_from_labels.hpp"
#include "flags/stop.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_stop(CLI::App& app, Context& ctx) {
  static flags::StopOptions o;
  auto* cmd = flags::add_stop(app, o);
  cmd->callback([&ctx, cmd] {
    nlohmann::json options = {{"services", o.services}};
    if (cmd->count("--timeout")) options["timeout"] = o.timeout;
    run_project_verb(project_or_name(ctx, o.services), "stop", options);
  });
}

}  // namespace mycompose::cli
