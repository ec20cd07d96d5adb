// `mycompose down`: the project's containers (dependents first), networks and, with -v, its
// named volumes, removed by the engine.
#include "commands.hpp"
#include "container_table.hpp"
#include "flags/down.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/scheduler/volumes.hpp"
#include "progress/progress.hpp"
#include "project_from_labels.hpp"
#include "project_request.hpp"
#include "service_images.hpp"

#include <algorithm>
#include <iostream>
#include <set>

namespace mycompose::cli {
namespace {

// --rmi: the images the services used; `local` only those built without an image: name.
void remove_images(const compose::Project& project, bool all) {
  image::ImageStore store(daemon::default_root());
  auto renderer = progress::make_renderer(progress::title_for("rm"));
  std::set<std::string> done;
  for (const auto& s : service_images(project, {}, false)) {
    if (!all && !s.image.empty()) continue;
    const std::string ref = effective_image(project, s);
    if (!done.insert(ref).second || !store.resolve(ref)) continue;
    renderer->event({"Image " + ref, "Removing", progress::State::Working, ""});
    try {
      store.remove(ref);
      renderer->event({"Image " + ref, "Removed", progress::State::Done, ""});
    } catch (const Error& e) {
      renderer->event({"Image " + ref, "Error", progress::State::Error, e.what()});
    }
  }
  renderer->finish();
}

// docker compose warns when down finds nothing of the project: no container (one-offs
// included), no network of its own, and with -v no volume of its own.
bool has_resources(const compose::Project& project, bool volumes) {
  const auto root = std::filesystem::absolute(daemon::default_root());
  if (!scheduler::ContainerStore(root).list(project.name).empty()) return true;
  for (const auto& n : connect_engine().call("GET", "/networks")) {
    const auto labels = n.value("Labels", nlohmann::json::object());
    if (labels.is_object() && labels.value("com.docker.compose.project", "") == project.name) return true;
  }
  if (volumes)
    for (const auto& v : scheduler::list_volumes(root))
      if (auto p = v.labels.find("com.docker.compose.project"); p != v.labels.end() && p->second == project.name) return true;
  return false;
}

std::vector<std::string> json_keys(const nlohmann::ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : object.items()) keys.push_back(k);
  return keys;
}

}  // namespace

void register_down(CLI::App& app, Context& ctx) {
  static flags::DownOptions o;
  auto* cmd = flags::add_down(app, o);
  cmd->callback([&ctx, cmd] {
    if (!o.rmi.empty() && o.rmi != "local" && o.rmi != "all")
      throw Error("invalid --rmi \"" + o.rmi + "\": expected \"local\" or \"all\"");
    auto project = project_or_name(ctx, o.services, false);
    if (!has_resources(project, o.volumes)) std::cerr << "Warning: No resource found to remove for project \"" << project.name << "\".\n";
    nlohmann::json options = {{"volumes", o.volumes}, {"remove_orphans", o.remove_orphans}};
    if (cmd->count("--timeout")) options["timeout"] = o.timeout;
    if (o.services.empty()) {
      run_project_verb(project, "down", options);
    } else {
      // down SERVICE…: only those services' containers go, stopped then removed (with -v their
      // anonymous volumes); the networks and volumes stay for the rest of the project.
      nlohmann::json stop = {{"services", o.services}};
      if (cmd->count("--timeout")) stop["timeout"] = o.timeout;
      run_project_verb(project, "stop", stop);
      // --remove-orphans: also the containers of services the file no longer has (docker
      // compose), never those of the other services in it.
      const auto model_services = project.model.value("services", nlohmann::ordered_json::object());
      std::vector<std::string> ids;
      compose::Project orphans = project;  // the orphans' services, for the engine to stop them
      orphans.model["services"] = nlohmann::ordered_json::object();
      for (const auto& c : engine_get("/projects/" + project.name + "/containers")) {
        const std::string service = c.value("Service", "");
        const bool named = std::find(o.services.begin(), o.services.end(), service) != o.services.end();
        const bool orphan = o.remove_orphans && !model_services.contains(service);
        if (orphan) orphans.model["services"][service] = {{"image", c.value("Image", "")}};
        if (named || orphan) ids.push_back(c.value("ID", ""));
      }
      if (!orphans.model["services"].empty()) {
        nlohmann::json stop_orphans = {{"services", json_keys(orphans.model["services"])}};
        if (cmd->count("--timeout")) stop_orphans["timeout"] = o.timeout;
        run_project_verb(orphans, "stop", stop_orphans);
      }
      if (!ids.empty()) run_project_verb(project, "rm", {{"containers", ids}, {"volumes", o.volumes}});
    }
    if (!o.rmi.empty()) remove_images(project, o.rmi == "all");
  });
}

}  // namespace mycompose::cli
