// `mycompose unpause`: the services' paused containers thawed.
#include "container_table.hpp"
#include "commands.hpp"
#include "project_from_labels.hpp"
#include "flags/unpause.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_unpause(CLI::App& app, Context& ctx) {
  static flags::UnpauseOptions o;
  auto* cmd = flags::add_unpause(app, o);
  cmd->callback([&ctx] { run_project_verb(project_or_name(ctx, o.services), "unpause", {{"services", o.services}}); });
}

}  // namespace mycompose::cli
