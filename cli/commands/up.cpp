// `mycompose up`: the project converged by the engine (networks, volumes, containers in
// dependency order). In the foreground (no -d) it then prints the attached services' output
// until their containers exit, and Ctrl-C stops them (cli/attach.hpp).
#include <algorithm>
#include <iostream>
#include <optional>

#include "attach.hpp"
#include "commands.hpp"
#include "ensure_images.hpp"
#include "flags/up.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/normalize.hpp"
#include "project_request.hpp"
#include "watch.hpp"

namespace mycompose::cli {

namespace {

// Foreground up: the attached services (--attach, else those named, else all; less
// --no-attach), their output until they exit.
int attach_after_up(const compose::Project& project, const flags::UpOptions& o, const Context& ctx, const std::string& since,
                    std::optional<int> timeout, watch::Session* watcher) {
  std::vector<std::string> attach = o.attach;
  if (attach.empty()) {
    if (!o.services.empty() && !o.attach_dependencies) attach = o.services;
    else {
      const nlohmann::ordered_json services = project.model.value("services", nlohmann::ordered_json::object());  // items() needs a named object
      for (const auto& [name, def] : services.items()) attach.push_back(name);
    }
  }
  std::erase_if(attach, [&](const std::string& s) { return std::find(o.no_attach.begin(), o.no_attach.end(), s) != o.no_attach.end(); });
  if (!o.exit_code_from.empty() && !project.model.value("services", nlohmann::ordered_json::object()).contains(o.exit_code_from))
    throw Error("no such service: " + o.exit_code_from);
  AttachOptions a;
  a.services = attach;
  a.since = since;
  a.abort_on_exit = o.abort_on_container_exit;
  a.exit_code_from = o.exit_code_from;
  a.timeout = timeout;
  LogPrinter printer(std::cout, std::cerr, {use_color(o.no_color, ctx.global.ansi), !o.no_log_prefix, o.timestamps});
  if (watcher)
    return run_watching(*watcher, printer, [&](bool) {
      const int rc = attach_project(project, a, printer);
      a.since = since_now();  // attached again: what the recreated containers print from here on
      return rc;
    });
  return attach_project(project, a, printer);
}

}  // namespace

void register_up(CLI::App& app, Context& ctx) {
  static flags::UpOptions o;
  auto* cmd = flags::add_up(app, o);
  cmd->callback([&ctx, cmd] {
    if (o.wait) o.detach = true;  // --wait implies detached mode
    if (!o.exit_code_from.empty()) o.abort_on_container_exit = true;  // compose: --exit-code-from implies it
    if (o.detach && (o.abort_on_container_exit || o.attach_dependencies || !o.attach.empty()))
      throw Error("--detach cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies");
    if (o.watch && o.detach)
      throw Error("--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch");
    if (o.watch && o.no_build) throw Error("--no-build and --watch are incompatible");
    auto project = compose::load_project(ctx.load_options(o.services));
    compose::check_creatable(project.model, o.services);
    std::unique_ptr<watch::Session> watcher;
    if (o.watch) watcher = up_watcher(project, o.services);  // refused before anything starts
    nlohmann::json options = {{"services", o.services},
                              {"no_deps", o.no_deps},
                              {"force_recreate", o.force_recreate},
                              {"no_recreate", o.no_recreate},
                              {"remove_orphans", compose::env_switch(project.environment, "COMPOSE_REMOVE_ORPHANS", o.remove_orphans)},
                           {"no_start", o.no_start},
                           {"wait", o.wait},
                           {"renew_anon_volumes", o.renew_anon_volumes}};
    if (cmd->count("--timeout")) options["timeout"] = o.timeout;
    if (cmd->count("--wait-timeout")) options["wait_timeout"] = o.wait_timeout;
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
    if (o.build && o.no_build) throw Error("--build and --no-build are incompatible");
    ensure_images(project, {o.services, !o.no_deps, o.build, o.no_build, o.pull, o.quiet_pull});
    const std::string since = since_now();  // foreground: the output from here on
    run_project_verb(project, "up", options);
    if (!o.detach && !o.no_start) ctx.exit_code = attach_after_up(project, o, ctx, since, cmd->count("--timeout") ? std::optional<int>(o.timeout) : std::nullopt, watcher.get());
  });
}

}  // namespace mycompose::cli
