// `mycompose pause`: the services' running containers frozen (freezer cgroup).
#include "container_table.hpp"
#include "commands.hpp"
#include "project_from_labels.hpp"
#include "flags/pause.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_pause(CLI::App& app, Context& ctx) {
  static flags::PauseOptions o;
  auto* cmd = flags::add_pause(app, o);
  cmd->callback([&ctx] { run_project_verb(project_or_name(ctx, o.services), "pause", {{"services", o.services}}); });
}

}  // namespace mycompose::cli
