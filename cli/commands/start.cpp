// `mycompose start`: the services' existing containers started, dependencies first, each once
// its dependencies' conditions hold (the engine waits, as for up).
#include "container_table.hpp"
#include "commands.hpp"
#include "project_from_labels.hpp"
#include "flags/start.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_start(CLI::App& app, Context& ctx) {
  static flags::StartOptions o;
  auto* cmd = flags::add_start(app, o);
  cmd->callback([&ctx] { run_project_verb(project_or_name(ctx, o.services), "start", {{"services", o.services}}); });
}

}  // namespace mycompose::cli
