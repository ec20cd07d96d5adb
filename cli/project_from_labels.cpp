#include "project_from_labels.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "container_table.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/compose/project_name.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/scheduler/volumes.hpp"

namespace mycompose::cli {
namespace {

using Json = nlohmann::ordered_json;
constexpr std::size_t kMaxServiceJson = 4 << 20;  // a service definition, far below this

std::string label(const scheduler::ContainerRecord& c, const std::string& key) {
  auto it = c.labels.find(key);
  return it == c.labels.end() ? "" : it->second;
}

// The definition and networks the engine saved when it made the container; a one-off (or a
// container without the file) has only what its record says.
Json saved_service(const std::filesystem::path& folder, const scheduler::ContainerRecord& c) {
  try {
    Json saved = Json::parse(fs::read_file(folder / "service.json", kMaxServiceJson));
    if (saved.is_object() && saved.contains("definition") && saved["definition"].is_object()) return saved;
  } catch (const std::exception&) {
  }
  return Json{{"definition", {{"image", c.image}}}, {"networks", Json::object()}};
}

}  // namespace

bool by_name_only(const Context& ctx) { return ctx.global.files.empty() && !ctx.global.project_name.empty(); }

compose::Project project_from_resources(const std::string& raw_name) {
  // The same check a name from -p gets when files are loaded ("[a-z0-9][a-z0-9_-]*").
  compose::ProjectNameSources sources;
  sources.flag = raw_name;
  const std::string name = compose::resolve_project_name(sources);
  const auto root = std::filesystem::absolute(daemon::default_root());
  compose::Project p;
  p.name = name;
  Json model = {{"name", name}, {"services", Json::object()}, {"networks", Json::object()}, {"volumes", Json::object()}};
  const scheduler::ContainerStore store(root);
  std::vector<scheduler::ContainerRecord> containers = store.list(name);
  // Service containers before one-offs, lowest number first: the newest definition wins.
  std::sort(containers.begin(), containers.end(), [](const auto& a, const auto& b) {
    const bool ao = label(a, "com.docker.compose.oneoff") == "True", bo = label(b, "com.docker.compose.oneoff") == "True";
    return ao != bo ? bo : a.number < b.number;
  });
  std::map<std::string, int> replicas;
  for (const auto& c : containers) {
    if (c.project != name || c.service.empty()) continue;
    const bool oneoff = label(c, "com.docker.compose.oneoff") == "True";
    if (!oneoff) ++replicas[c.service];
    if (p.working_dir.empty()) p.working_dir = label(c, "com.docker.compose.project.working_dir");
    auto& svc = model["services"][c.service];
    if (!svc.is_null() && oneoff) continue;  // the service's own containers say more
    Json saved = saved_service(store.folder(c.id), c);
    svc = saved["definition"];
    const Json saved_networks = saved.value("networks", Json::object());  // items() needs a named object
    for (const auto& [key, net_name] : saved_networks.items())
      if (net_name.is_string()) model["networks"][key] = {{"name", net_name}, {"external", true}};  // own ones: below
  }
  for (auto& [service, def] : model["services"].items()) {
    def.erase("deploy");  // replicas: what exists, not what the file once asked
    def["scale"] = replicas[service];
    if (def.contains("depends_on") && def["depends_on"].is_object()) {
      Json kept = Json::object();  // a dependency without containers would fail the plan
      for (const auto& [dep, cond] : def["depends_on"].items())
        if (model["services"].contains(dep)) kept[dep] = cond;
      def["depends_on"] = kept;
    }
  }
  // The project's own networks (also those no container uses any more), removable by down.
  for (const auto& n : connect_engine().call("GET", "/networks")) {
    const Json labels = Json::parse(n.value("Labels", nlohmann::json::object()).dump());
    if (!labels.is_object() || labels.value("com.docker.compose.project", "") != name) continue;
    const std::string key = labels.value("com.docker.compose.network", n.value("Name", ""));
    model["networks"][key] = {{"name", n.value("Name", "")}};
  }
  for (const auto& v : scheduler::list_volumes(root)) {
    auto project = v.labels.find("com.docker.compose.project");
    if (project == v.labels.end() || project->second != name) continue;
    auto key = v.labels.find("com.docker.compose.volume");
    model["volumes"][key == v.labels.end() ? v.name : key->second] = {{"name", v.name}};
  }
  if (p.working_dir.empty()) p.working_dir = std::filesystem::current_path().string();
  p.model = std::move(model);
  return p;
}

compose::Project project_or_name(const Context& ctx, const std::vector<std::string>& services, bool resolve_environment) {
  if (by_name_only(ctx)) return project_from_resources(ctx.global.project_name);
  try {
    auto lo = ctx.load_options(services);
    lo.resolve_environment = resolve_environment;
    return compose::load_project(lo);
  } catch (const Error&) {
    const char* env = std::getenv("COMPOSE_PROJECT_NAME");
    if (!env || !*env) throw;
    return project_from_resources(env);
  }
}

std::string project_name_or_file(const Context& ctx) {
  if (by_name_only(ctx)) {
    compose::ProjectNameSources sources;
    sources.flag = ctx.global.project_name;
    return compose::resolve_project_name(sources);
  }
  try {
    return compose::load_project(ctx.load_options()).name;
  } catch (const Error&) {
    const char* env = std::getenv("COMPOSE_PROJECT_NAME");
    if (!env || !*env) throw;
    compose::ProjectNameSources sources;
    sources.environment = env;
    return compose::resolve_project_name(sources);
  }
}

}  // namespace mycompose::cli
