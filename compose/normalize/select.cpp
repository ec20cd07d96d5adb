// `config SERVICE…`: the model of the named services and what they depend on, without the
// networks, volumes, secrets, configs and models only the others used.
#include <set>

#include "mycompose/common/error.hpp"
#include "stages.hpp"

namespace mycompose::compose {

void select_services(nlohmann::ordered_json& model, const std::vector<std::string>& names, bool all_resources) {
  if (names.empty() || !model.contains("services")) return;
  const auto& services = model["services"];
  std::set<std::string> keep;
  std::vector<std::string> todo(names.rbegin(), names.rend());
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    if (!services.contains(name)) throw Error("no such service: " + name);
    if (!keep.insert(name).second) continue;
    const auto& s = services[name];
    if (s.contains("depends_on") && s["depends_on"].is_object())
      for (const auto& [dep, _] : s["depends_on"].items())
        if (services.contains(dep)) todo.push_back(dep);
  }
  nlohmann::ordered_json kept = nlohmann::ordered_json::object();
  for (auto& [name, s] : model["services"].items())
    if (keep.count(name)) kept[name] = std::move(s);
  model["services"] = std::move(kept);
  if (all_resources) return;
  schema::drop_unused_resources(model);
  for (const char* section : {"networks", "volumes", "secrets", "configs", "models"})
    if (model.contains(section) && model[section].empty()) model.erase(section);
}

}  // namespace mycompose::compose

namespace mycompose::compose {

// docker compose refuses, when it creates a service's containers (not in `config`), a
// healthcheck with start_interval but no start_period.
void check_creatable(const nlohmann::ordered_json& model, const std::vector<std::string>& names) {
  if (!model.contains("services")) return;
  const auto& services = model["services"];
  std::set<std::string> seen;
  std::vector<std::string> todo;
  if (names.empty())
    for (const auto& [name, _] : services.items()) todo.push_back(name);
  else
    todo.assign(names.rbegin(), names.rend());
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    if (!services.contains(name) || !seen.insert(name).second) continue;
    const auto& s = services[name];
    if (s.contains("healthcheck") && s["healthcheck"].is_object() && s["healthcheck"].contains("start_interval") &&
        !s["healthcheck"].contains("start_period"))
      throw Error("healthcheck.start_interval requires healthcheck.start_period to be set");
    if (s.contains("depends_on") && s["depends_on"].is_object())
      for (const auto& [dep, _] : s["depends_on"].items()) todo.push_back(dep);
  }
}

}  // namespace mycompose::compose
