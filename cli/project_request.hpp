#pragma once
// What `up`, `down` and the other project commands send to the engine: the loaded project
// and the command's options, and how they print the engine's progress stream.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

nlohmann::json project_json(const compose::Project& project);

// POSTs {"project", "options"} to /projects/<name>/<verb> on the engine of MYCOMPOSE_ROOT
// (started on demand), prints each progress line as docker compose does (" ✔ Container …")
// and throws Error with the engine's message when the stream ends with an error.
void run_project_verb(const compose::Project& project, const std::string& verb, const nlohmann::json& options);

}  // namespace mycompose::cli
