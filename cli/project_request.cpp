#include "project_request.hpp"

#include <iostream>

#include "engine_client.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"

namespace mycompose::cli {

// The values of the variables secrets and configs take their content from (`environment:`
// sources): the engine does not see the CLI's environment, and gets no other variable.
static nlohmann::json file_source_environment(const compose::Project& project) {
  nlohmann::json env = nlohmann::json::object();
  for (const char* section : {"secrets", "configs"})
    for (const auto& [name, def] : project.model.value(section, nlohmann::ordered_json::object()).items())
      if (def.is_object() && def.contains("environment")) {
        const std::string var = def["environment"].get<std::string>();
        if (auto it = project.environment.find(var); it != project.environment.end()) env[var] = it->second;
      }
  return env;
}

nlohmann::json project_json(const compose::Project& project) {
  return {{"name", project.name},
          {"working_dir", project.working_dir},
          {"config_files", project.config_files},
          {"model", nlohmann::json::parse(project.model.dump())}};
}

void run_project_verb(const compose::Project& project, const std::string& verb, const nlohmann::json& options) {
  EngineClient client = EngineClient::connect(std::filesystem::absolute(daemon::default_root()));
  nlohmann::json body = {{"project", project_json(project)}, {"options", options}};
  body["project"]["environment"] = file_source_environment(project);
  std::string error;
  client.stream("POST", "/projects/" + project.name + "/" + verb,
                [&](const nlohmann::json& line) {
                  if (line.contains("progress")) {
                    const auto& p = line["progress"];
                    const std::string state = p.value("state", "");
                    if (state == "warning") std::cerr << "WARN[0000] " << p.value("text", "") << "\n";
                    else if (state == "done" || state == "error")
                      std::cerr << (state == "done" ? " \u2714 " : " \u2718 ") << p.value("id", "") << "  " << p.value("status", "") << "\n";
                  }
                  if (line.contains("error")) error = line["error"].get<std::string>();
                  return true;
                },
                &body);
  if (!error.empty()) throw Error(error);
}

}  // namespace mycompose::cli
