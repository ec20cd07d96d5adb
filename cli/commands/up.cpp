// `mycompose up`: the project converged by the engine (networks, volumes, containers in
// dependency order). In the foreground (no -d) it then prints the attached services' output
// until their containers exit, and Ctrl-C stops them (cli/attach.hpp).
#include <algorithm>
#include <iostream>
#include <optional>
#include <set>

#include "attach.hpp"
#include "commands.hpp"
#include "container_table.hpp"
#include "ensure_images.hpp"
#include "flags/up.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/warning.hpp"
#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/volumes.hpp"
#include "project_request.hpp"
#include "watch.hpp"

namespace mycompose::cli {

namespace {

// Foreground up, as docker compose: the attached services (--attach, else those named with
// their dependencies under --attach-dependencies, else those named, else all; less those with
// `attach: false` and --no-attach) print their output; the named services (else the attached
// ones) are followed until their containers exit; Ctrl-C stops only the named services.
int attach_after_up(const compose::Project& project, const flags::UpOptions& o, const Context& ctx, const std::string& since,
                    std::optional<int> timeout, watch::Session* watcher) {
  const nlohmann::ordered_json services = project.model.value("services", nlohmann::ordered_json::object());  // items() needs a named object
  std::vector<std::string> attach = o.attach;
  if (!attach.empty()) {
    std::vector<std::string> unknown;
    for (const auto& a : attach)
      if (!services.contains(a)) unknown.push_back(a);
    std::sort(unknown.begin(), unknown.end());
    if (!unknown.empty()) {
      std::string list;
      for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
      throw Error("cannot attach to services not included in up: " + list);
    }
  } else {
    // The named services, with --attach-dependencies their depends_on closure.
    std::set<std::string> named(o.services.begin(), o.services.end());
    for (std::vector<std::string> todo = o.attach_dependencies ? o.services : std::vector<std::string>{}; !todo.empty();) {
      const std::string s = todo.back();
      todo.pop_back();
      const auto def = services.value(s, nlohmann::ordered_json::object());
      if (def.contains("depends_on") && def["depends_on"].is_object())
        for (const auto& [dep, cond] : def["depends_on"].items())
          if (named.insert(dep).second) todo.push_back(dep);
    }
    for (const auto& [name, def] : services.items()) {
      const bool selected = o.services.empty() || named.count(name);
      if (selected && !(def.is_object() && def.contains("attach") && def["attach"] == false)) attach.push_back(name);
    }
  }
  std::erase_if(attach, [&](const std::string& s) { return std::find(o.no_attach.begin(), o.no_attach.end(), s) != o.no_attach.end(); });
  AttachOptions a;
  a.services = attach;
  a.watch = o.services.empty() ? attach : o.services;
  a.stop = o.services;
  a.since = since;
  a.abort_on_exit = o.abort_on_container_exit;
  a.abort_on_failure = o.abort_on_container_failure;
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

// docker compose's checks of the flags, before the project is loaded, in its order.
void validate_flags(flags::UpOptions& o) {
  if (!o.exit_code_from.empty() && !o.abort_on_container_failure) o.abort_on_container_exit = true;
  if (o.abort_on_container_exit && o.abort_on_container_failure)
    throw Error("--abort-on-container-failure cannot be combined with --abort-on-container-exit");
  if (o.wait) {
    if (o.attach_dependencies || o.abort_on_container_exit || !o.attach.empty())
      throw Error("--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies");
    o.detach = true;
  }
  if (o.build && o.no_build) throw Error("--build and --no-build are incompatible");
  if (o.detach && (o.attach_dependencies || o.abort_on_container_exit || o.abort_on_container_failure || !o.attach.empty() || o.watch))
    throw Error("--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, --attach-dependencies or --watch");
  if (o.renew_anon_volumes && o.no_recreate) throw Error("--no-recreate and --renew-anon-volumes are incompatible");
  if (o.force_recreate && o.no_recreate) throw Error("--force-recreate and --no-recreate are incompatible");
  if (o.always_recreate_deps && o.no_recreate) throw Error("--always-recreate-deps and --no-recreate are incompatible");
  if (o.no_build && o.watch) throw Error("--no-build and --watch are incompatible");
  // docker compose shows its menu only on a terminal and drops it silently elsewhere; asked
  // for by name, say that this one has none rather than ignore the flag.
  if (o.menu && !o.detach) print_warning("--menu: the interactive navigation menu is not supported; up runs attached without it");
}

}  // namespace

void register_up(CLI::App& app, Context& ctx) {
  static flags::UpOptions o;
  auto* cmd = flags::add_up(app, o);
  cmd->callback([&ctx, cmd] {
    validate_flags(o);
    auto project = compose::load_project(ctx.load_options(o.services));
    if (!o.attach.empty() && o.attach_dependencies) throw Error("cannot combine --attach and --attach-dependencies");
    if (!o.exit_code_from.empty() && !project.model.value("services", nlohmann::ordered_json::object()).contains(o.exit_code_from))
      throw Error("no such service: " + o.exit_code_from);
    compose::check_creatable(project.model, o.services);
    std::unique_ptr<watch::Session> watcher;
    if (o.watch) watcher = up_watcher(project, o.services);  // refused before anything starts
    if (!o.services.empty() && !ctx.global.all_resources) {
      // docker compose (WithoutUnnecessaryResources): `up SERVICE` creates the networks and
      // volumes of the services it starts only; a missing external network of another
      // service is no error. The other services stay in the model (they are not orphans).
      nlohmann::ordered_json selected = project.model;
      compose::select_services(selected, o.services, false);
      for (const char* key : {"networks", "volumes"}) {
        if (selected.contains(key)) project.model[key] = selected[key];
        else project.model.erase(key);
      }
    }
    // As docker compose: --remove-orphans, else COMPOSE_REMOVE_ORPHANS; COMPOSE_IGNORE_ORPHANS
    // (environment or .env) neither removes orphans nor warns about them, and not with both.
    const bool remove_orphans =
        cmd->count("--remove-orphans") ? o.remove_orphans : compose::env_switch(project.environment, "COMPOSE_REMOVE_ORPHANS", false);
    const bool ignore_orphans = compose::env_switch(project.environment, "COMPOSE_IGNORE_ORPHANS", false);
    if (ignore_orphans && remove_orphans) throw Error("cannot combine COMPOSE_IGNORE_ORPHANS and --remove-orphans");
    nlohmann::json options = {{"services", o.services},
                              {"no_deps", o.no_deps},
                              {"force_recreate", o.force_recreate},
                              {"no_recreate", o.no_recreate},
                              {"always_recreate_deps", o.always_recreate_deps},
                              {"remove_orphans", remove_orphans},
                              {"ignore_orphans", ignore_orphans},
                           {"no_start", o.no_start},
                           {"wait", o.wait},
                           {"renew_anon_volumes", o.renew_anon_volumes}};
    if (cmd->count("--timeout")) options["timeout"] = o.timeout;
    if (cmd->count("--wait-timeout")) options["wait_timeout"] = o.wait_timeout;
    options["scale"] = scale_option(project, o.scale);
    ensure_images(project, {o.services, !o.no_deps, o.build, o.no_build, o.pull, o.quiet_pull});
    options["recreate_volumes"] = volumes_to_recreate(project, o.yes);
    const std::string since = since_now();  // foreground: the output from here on
    // Foreground: what post_start hooks print shows, as docker compose's attached up.
    LogPrinter hook_lines(std::cout, std::cerr, {use_color(o.no_color, ctx.global.ansi), !o.no_log_prefix, o.timestamps});
    run_project_verb(project, "up", options, o.detach ? HookOutput{} : hook_printer(project, hook_lines));
    if (!o.detach && !o.no_start) ctx.exit_code = attach_after_up(project, o, ctx, since, cmd->count("--timeout") ? std::optional<int>(o.timeout) : std::nullopt, watcher.get());
  });
}

}  // namespace mycompose::cli
