#pragma once
// The last stages of the loader: the merged tree (interpolated, includes and extends
// resolved, files merged, profiles applied) → the canonical model, validated.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

struct NormalizeContext {
  std::string project_name;                       // already normalized and validated
  std::string working_dir;                        // absolute project directory
  std::map<std::string, std::string> environment;  // for bare `KEY` entries in environment:
  // Services that an `include` brought in: that include's environment (with its env_file),
  // which their bare `KEY` entries and env_file variables read instead.
  std::map<std::string, std::map<std::string, std::string>> service_environments;
  bool resolve_paths = true;                      // relative bind sources/contexts → absolute
  bool normalize = true;                          // false (`config --no-normalize`): no implied defaults
                                                  // (default network, resource names, dockerfile, links → depends_on)
  bool consistency = true;                        // false (`config --no-consistency`): skip reference checks
  bool all_resources = false;                     // keep networks/volumes/secrets/configs no service uses
  bool resolve_env_files = true;                  // read each service's env_file into its environment
                                                  // (as `docker compose config` shows it)
  bool interpolate = true;                        // false (`config --no-interpolate`): a value that still holds
                                                  // a `$` variable is kept as written where its type does not parse
  // Services named on the command line: a missing env_file/label_file of a service that is
  // neither one of them nor a dependency of one is not an error (empty = every service).
  std::vector<std::string> selected_services;
  // Services removed by the profiles stage, with their profiles, so a reference to one
  // gets "service X is disabled by profile(s) …" instead of "undefined service".
  std::map<std::string, std::vector<std::string>> disabled_services;
};

struct NormalizeResult {
  nlohmann::ordered_json model;          // as `docker compose config --format json` prints it
  std::vector<std::string> unsupported;  // keys present that the engine does not honour yet
                                         // ("services.web.blkio_config"); see compose/normalize/supported.cpp
  std::vector<std::string> warnings;     // e.g. the obsolete `version` attribute
};

// Validates (unknown keys, types, references, cycles…) and normalizes every short syntax
// to its long form. Throws ComposeError carrying file:line:col.
NormalizeResult normalize(const Node& merged, const NormalizeContext& ctx);

// Keeps the named services and their dependencies (depends_on, transitively) and drops the
// resources only the others used, unless `all_resources`. Throws "no such service: X".
void select_services(nlohmann::ordered_json& model, const std::vector<std::string>& names, bool all_resources);

// compose-go's CheckContainerNameUnicity: "services.B: container name \"x\" is already in
// use by service A". docker compose runs it in `config` and before creating containers.
void check_container_names(const nlohmann::ordered_json& model);

// What docker compose checks when it creates containers rather than when it loads: a
// healthcheck start_interval without start_period, a shared container_name. Over `names`
// (all when empty) and what they depend on; throws with docker compose's message.
void check_creatable(const nlohmann::ordered_json& model, const std::vector<std::string>& names);

// Every service key of the Compose specification, in the order `config` prints them.
std::vector<std::string> service_keys();

}  // namespace mycompose::compose
