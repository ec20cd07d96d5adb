// `mycompose create`: the project's images ensured (pulled, or built with --build) and its
// containers created (networks and volumes too), not started.
#include "container_table.hpp"
#include "commands.hpp"
#include "ensure_images.hpp"
#include "flags/create.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/compose/normalize.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_create(CLI::App& app, Context& ctx) {
  static flags::CreateOptions o;
  auto* cmd = flags::add_create(app, o);
  cmd->callback([&ctx] {
    // docker compose's checks, before the project is loaded.
    if (o.build && o.no_build) throw Error("--build and --no-build are incompatible");
    if (o.force_recreate && o.no_recreate) throw Error("--force-recreate and --no-recreate are incompatible");
    auto project = compose::load_project(ctx.load_options(o.services));
    const nlohmann::json scale = scale_option(project, o.scale);
    compose::check_creatable(project.model, o.services);
    ensure_images(project, {o.services, true, o.build, o.no_build, o.pull, o.quiet_pull});
    run_project_verb(project, "create",
                     {{"services", o.services},
                      {"force_recreate", o.force_recreate},
                      {"no_recreate", o.no_recreate},
                      {"remove_orphans", o.remove_orphans},
                      {"scale", scale},
                      {"recreate_volumes", volumes_to_recreate(project, o.yes)}});
  });
}

}  // namespace mycompose::cli
