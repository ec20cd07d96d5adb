// `mycompose create`: the project's containers created (networks and volumes too), not started.
#include "container_table.hpp"
#include "commands.hpp"
#include "flags/create.hpp"
#include "mycompose/common/error.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_create(CLI::App& app, Context& ctx) {
  static flags::CreateOptions o;
  auto* cmd = flags::add_create(app, o);
  cmd->callback([&ctx] {
    if (o.build) throw Error("mycompose create --build: not implemented yet (build with `mycompose build` first)");
    nlohmann::json scale = nlohmann::json::object();
    for (const auto& s : o.scale) scale[s.substr(0, s.find('='))] = std::stoi(s.substr(s.find('=') + 1));
    run_project_verb(load_whole_project(ctx), "create",
                     {{"services", o.services},
                      {"force_recreate", o.force_recreate},
                      {"no_recreate", o.no_recreate},
                      {"remove_orphans", o.remove_orphans},
                      {"scale", scale}});
  });
}

}  // namespace mycompose::cli
