#pragma once
// Stage "project name": -p, COMPOSE_PROJECT_NAME, top-level `name:`, else the folder name.
#include <optional>
#include <string>
#include <string_view>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

// Lower-cased, only [a-z0-9_-], leading '_' and '-' dropped: how a folder name becomes one.
std::string normalize_project_name(std::string_view name);

struct ProjectNameSources {
  std::optional<std::string> flag;         // -p/--project-name
  std::optional<std::string> environment;  // COMPOSE_PROJECT_NAME (shell or .env); empty counts as unset
  const Node* name_key = nullptr;          // top-level `name:` of the merged tree (interpolated)
  std::string project_dir;                 // absolute; its folder name is the last resort
};

// The first explicit source wins and must already be a valid name (an error says what is
// allowed); the folder name is normalized instead.
std::string resolve_project_name(const ProjectNameSources& sources);

}  // namespace mycompose::compose
