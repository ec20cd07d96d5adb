#pragma once
// What `up`, `down` and the other project commands send to the engine: the loaded project
// and the command's options, and how they print the engine's progress stream.
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

// The project as the engine gets it: the model, with the image a build-only service runs.
nlohmann::json project_json(const compose::Project& project);

// POSTs {"project", "options"} to /projects/<name>/<verb> on the engine of MYCOMPOSE_ROOT
// (started on demand), renders the progress stream as the global --progress/--ansi flags ask
// (cli/progress/: "[+] Running 2/2" on a terminal, " ✔ Container …" lines otherwise; the
// header's word from progress::title_for(verb)) and throws Error with the engine's message
// when the stream ends with an error. hook_output, when set, gets each line a lifecycle hook
// printed ({"container", "service", "line"}); without it they are not shown (as `up -d`).
using HookOutput = std::function<void(const nlohmann::json& hook_line)>;
void run_project_verb(const compose::Project& project, const std::string& verb, const nlohmann::json& options,
                      const HookOutput& hook_output = {});

// `up`/`create`: the project volumes whose definition changed that the user agrees to
// recreate (-y: all of them), asking docker compose's question for each; no answer keeps one.
std::vector<std::string> volumes_to_recreate(const compose::Project& project, bool yes);

// `up`/`create --scale SERVICE=NUM…` as the engine takes it ({"web": 3}); as docker compose,
// an unknown service is "no such service: x" and a malformed value names the option.
nlohmann::json scale_option(const compose::Project& project, const std::vector<std::string>& values);

}  // namespace mycompose::cli
