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
  bool resolve_paths = true;                      // relative bind sources/contexts → absolute
  // Services removed by the profiles stage, with their profiles, so a reference to one
  // gets "service X is disabled by profile(s) …" instead of "undefined service".
  std::map<std::string, std::vector<std::string>> disabled_services;
};

struct NormalizeResult {
  nlohmann::ordered_json model;          // as `docker compose config --format json` prints it
  std::vector<std::string> unsupported;  // keys present that the engine does not honour yet
};

// Validates (unknown keys, types, references, cycles…) and normalizes every short syntax
// to its long form. Throws ComposeError carrying file:line:col.
NormalizeResult normalize(const Node& merged, const NormalizeContext& ctx);

}  // namespace mycompose::compose
