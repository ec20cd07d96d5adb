// `mycompose restart [-t N] [--no-deps]`: each container stopped and started again,
// dependencies first.
#include "container_table.hpp"
#include "commands.hpp"
#include "project_from_labels.hpp"
#include "flags/restart.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_restart(CLI::App& app, Context& ctx) {
  static flags::RestartOptions o;
  auto* cmd = flags::add_restart(app, o);
  cmd->callback([&ctx, cmd] {
    nlohmann::json options = {{"services", o.services}, {"no_deps", o.no_deps}};
    if (cmd->count("--timeout")) options["timeout"] = o.timeout;
    run_project_verb(project_or_name(ctx, o.services), "restart", options);
  });
}

}  // namespace mycompose::cli
