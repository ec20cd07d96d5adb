// `mycompose up`: the project converged by the engine (networks, volumes, containers in
// dependency order). Detached only for now: attaching to the containers' output comes with
// the engine's logs.
#include "commands.hpp"
#include "flags/up.hpp"
#include "mycompose/common/error.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_up(CLI::App& app, Context& ctx) {
  static flags::UpOptions o;
  auto* cmd = flags::add_up(app, o);
  cmd->callback([&ctx] {
    if (!o.detach) throw Error("mycompose up: attaching to the containers' output is not implemented yet (arrives with issue [E]); use up -d");
    for (auto [set, flag] : {std::pair{o.build, "--build"}, {o.wait, "--wait"}, {o.no_start, "--no-start"}, {o.watch, "--watch"}})
      if (set) throw Error(std::string("mycompose up ") + flag + ": not implemented yet (arrives with issue [E])");
    auto project = compose::load_project(ctx.load_options(o.services));
    nlohmann::json options = {{"services", o.services},
                              {"no_deps", o.no_deps},
                              {"force_recreate", o.force_recreate},
                              {"no_recreate", o.no_recreate},
                              {"remove_orphans", o.remove_orphans}};
    nlohmann::json scale = nlohmann::json::object();
    for (const auto& s : o.scale) {
      auto eq = s.find('=');
      if (eq == std::string::npos) throw Error("invalid --scale \"" + s + "\": expected SERVICE=NUM");
      try {
        scale[s.substr(0, eq)] = std::stoi(s.substr(eq + 1));
      } catch (const std::exception&) {
        throw Error("invalid --scale \"" + s + "\": expected SERVICE=NUM");
      }
    }
    options["scale"] = scale;
    run_project_verb(project, "up", options);
  });
}

}  // namespace mycompose::cli
