#include "project_request.hpp"

#include <iostream>

#include "engine_client.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"

namespace mycompose::cli {

nlohmann::json project_json(const compose::Project& project) {
  return {{"name", project.name},
          {"working_dir", project.working_dir},
          {"config_files", project.config_files},
          {"model", nlohmann::json::parse(project.model.dump())}};
}

void run_project_verb(const compose::Project& project, const std::string& verb, const nlohmann::json& options) {
  EngineClient client = EngineClient::connect(std::filesystem::absolute(daemon::default_root()));
  const nlohmann::json body = {{"project", project_json(project)}, {"options", options}};
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
