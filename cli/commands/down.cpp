// `mycompose down`: the project's containers (dependents first), networks and, with -v, its
// named volumes, removed by the engine.
#include "commands.hpp"
#include "flags/down.hpp"
#include "mycompose/common/error.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_down(CLI::App& app, Context& ctx) {
  static flags::DownOptions o;
  auto* cmd = flags::add_down(app, o);
  cmd->callback([&ctx] {
    if (!o.rmi.empty()) throw Error("mycompose down --rmi: not implemented yet (arrives with issue [E])");
    auto project = compose::load_project(ctx.load_options(o.services));
    run_project_verb(project, "down", {{"volumes", o.volumes}, {"remove_orphans", o.remove_orphans}});
  });
}

}  // namespace mycompose::cli
