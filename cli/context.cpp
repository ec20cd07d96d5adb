#include "context.hpp"

#include <unistd.h>

#include <cstdlib>

extern char** environ;

namespace mycompose::cli {

compose::LoadOptions Context::load_options(const std::vector<std::string>& services) const {
  compose::LoadOptions o;
  o.files = global.files;
  if (!global.project_name.empty()) o.project_name = global.project_name;
  if (!global.project_directory.empty()) o.project_directory = global.project_directory;
  o.profiles = global.profiles;
  o.env_files = global.env_files;
  o.services = services;
  o.all_resources = global.all_resources;  // --all-resources: unused networks and volumes stay in the model
  // docker compose's --compatibility is its COMPOSE_COMPATIBILITY: the project's environment
  // carries it to the engine (project_json), as a variable set in the shell or .env does.
  if (global.compatibility) ::setenv("COMPOSE_COMPATIBILITY", "true", 1);
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) o.environment.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return o;
}

}  // namespace mycompose::cli
