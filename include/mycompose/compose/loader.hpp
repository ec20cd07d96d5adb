#pragma once
// The Compose loader: files → Project. A pipeline of pure stages (see compose/loader.cpp,
// which reads like the list of stages).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/compose/interpolation.hpp"

namespace mycompose::compose {

struct LoadOptions {
  std::vector<std::string> files;                 // -f/--file, in order; "-" is stdin
  std::optional<std::string> project_name;        // -p/--project-name
  std::optional<std::string> project_directory;   // --project-directory
  std::vector<std::string> profiles;              // --profile (COMPOSE_PROFILES when empty)
  std::vector<std::string> env_files;             // --env-file (default: <project dir>/.env)
  std::vector<std::string> services;              // services named on the command line: they enable their profiles
  bool interpolate = true;                        // false for `config --no-interpolate`
  bool resolve_paths = true;                      // make relative paths absolute
  bool normalize = true;                          // false for `config --no-normalize` (NormalizeContext::normalize)
  bool consistency = true;                        // false for `config --no-consistency` (NormalizeContext::consistency)
  bool all_resources = false;                     // --all-resources: keep unused networks/volumes/… (NormalizeContext)
  bool resolve_environment = true;                // false: env_file not read (docker compose's WithoutEnvironmentResolution,
                                                  // for `config --services`, `down`…: a missing env file is no error)
  std::map<std::string, std::string> environment;  // the process environment (tests pass their own)
  std::string working_dir;                        // where the command runs; "" = current directory
  std::function<void(const std::string&)> warn;   // warnings (unset variables, …); default prints to stderr
  std::optional<std::string> stdin_content;       // what `-f -` reads; unset = the process's stdin
};

struct Project {
  std::string name;
  std::string working_dir;                         // absolute project directory
  std::vector<std::string> config_files;           // absolute paths of the files loaded, in order
  std::map<std::string, std::string> environment;  // variables used for interpolation (shell over .env)
  std::map<std::string, VariableUse> variables;    // variables the files refer to (`config --variables`)
  std::vector<std::string> profiles;               // profiles in effect (after COMPOSE_PROFILES)
  nlohmann::ordered_json model;                    // canonical model: the document `config --format json` prints
  std::vector<std::string> unsupported;            // keys present that the engine does not honour yet ("services.web.blkio_config")
};

Project load_project(const LoadOptions& options);

}  // namespace mycompose::compose
