#include "project_request.hpp"

#include "engine_client.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "container_table.hpp"
#include "mycompose/scheduler/volumes.hpp"
#include "progress/progress.hpp"

namespace mycompose::cli {

// The values of the variables secrets and configs take their content from (`environment:`
// sources): the engine does not see the CLI's environment, and gets no other variable.
static nlohmann::json file_source_environment(const compose::Project& project) {
  nlohmann::json env = nlohmann::json::object();
  for (const char* section : {"secrets", "configs"}) {
    const nlohmann::ordered_json defs = project.model.value(section, nlohmann::ordered_json::object());  // items() needs a named object
    for (const auto& [name, def] : defs.items())
      if (def.is_object() && def.contains("environment")) {
        const std::string var = def["environment"].get<std::string>();
        if (auto it = project.environment.find(var); it != project.environment.end()) env[var] = it->second;
      }
  }
  return env;
}

nlohmann::json project_json(const compose::Project& project) {
  nlohmann::json model = nlohmann::json::parse(project.model.dump());
  // A service that is only built runs the image its build is tagged with (docker compose's
  // "<project>-<service>"): the engine creates containers from `image` alone.
  if (model.contains("services") && model["services"].is_object())
    for (auto it = model["services"].begin(); it != model["services"].end(); ++it)
      if (it.value().is_object() && it.value().contains("build") && !it.value().contains("image"))
        it.value()["image"] = project.name + "-" + it.key();
  nlohmann::json out = {{"name", project.name},
                        {"working_dir", project.working_dir},
                        {"config_files", project.config_files},
                        {"model", std::move(model)},
                        {"environment", file_source_environment(project)}};  // every request: run's too
  if (auto c = project.environment.find("COMPOSE_COMPATIBILITY"); c != project.environment.end() && (c->second == "true" || c->second == "1"))
    out["compatibility"] = true;  // container names joined by '_' (plan.cpp)
  return out;
}

void run_project_verb(const compose::Project& project, const std::string& verb, const nlohmann::json& options,
                      const HookOutput& hook_output) {
  EngineClient client = EngineClient::connect(std::filesystem::absolute(daemon::default_root()));
  nlohmann::json body = {{"project", project_json(project)}, {"options", options}};
  body["project"]["environment"] = file_source_environment(project);
  // After connect(): it may start the engine, which a ticking renderer's thread must not see.
  auto renderer = progress::make_renderer(progress::title_for(verb));
  std::string error;
  try {
    client.stream("POST", "/projects/" + project.name + "/" + verb,
                  [&](const nlohmann::json& line) {
                    if (line.contains("progress")) renderer->event(progress::Event::from_json(line["progress"]));
                    if (line.contains("hook_log") && line["hook_log"].is_object() && hook_output)
                      hook_output(line["hook_log"]);
                    if (line.contains("error")) error = line["error"].get<std::string>();
                    return true;
                  },
                  &body);
  } catch (...) {
    renderer->finish();
    throw;
  }
  renderer->finish();
  if (!error.empty()) throw Error(error);
}

}  // namespace mycompose::cli

namespace mycompose::cli {

nlohmann::json scale_option(const compose::Project& project, const std::vector<std::string>& values) {
  const auto defined = project.model.value("services", nlohmann::ordered_json::object());
  nlohmann::json scale = nlohmann::json::object();
  for (const auto& v : values) {
    const auto eq = v.find('=');
    const std::string count = eq == std::string::npos ? "" : v.substr(eq + 1);
    // Bounded: a count this large could only exhaust the host.
    if (eq == std::string::npos || eq == 0 || count.empty() || count.size() > 6 ||
        count.find_first_not_of("0123456789") != std::string::npos)
      throw Error("invalid --scale option \"" + v + "\". Should be SERVICE=NUM");
    const std::string service = v.substr(0, eq);
    if (!defined.contains(service)) throw Error("no such service: " + service);
    scale[service] = std::stoi(count);
  }
  return scale;
}

// As docker compose: a project volume made from another definition (driver, driver_opts,
// labels) is recreated only if the user says so (or -y); the answer no, or no answer (stdin
// closed), keeps it and its data as they are.
std::vector<std::string> volumes_to_recreate(const compose::Project& project, bool yes) {
  std::vector<std::string> out;
  const auto root = std::filesystem::absolute(daemon::default_root());
  for (const auto& v : scheduler::diverged_volumes(root, project.name, project.model.value("volumes", nlohmann::ordered_json::object())))
    if (yes || confirm("? Volume \"" + v.name + "\" exists but doesn't match configuration in compose file. Recreate (data will be lost)? (y/N) "))
      out.push_back(v.name);
  return out;
}

}  // namespace mycompose::cli
