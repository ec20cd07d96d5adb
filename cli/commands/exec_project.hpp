#pragma once
// The project exec acts on. docker compose gives it only a project name
// (cmd/compose toProjectName: -p, else COMPOSE_PROJECT_NAME, else the compose files) and
// finds the containers by label, so it works by name without any compose file; it also
// needs the project's environment (the shell over .env / --env-file) for a bare `-e KEY`.
#include <map>
#include <string>

#include "context.hpp"

namespace mycompose::cli {

struct ExecProject {
  std::string name;
  std::map<std::string, std::string> environment;  // shell first, then .env / --env-file
};

ExecProject exec_project(const Context& ctx);

}  // namespace mycompose::cli
