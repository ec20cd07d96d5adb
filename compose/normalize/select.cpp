// `config SERVICE…`: the model of the named services and what they depend on, without the
// networks, volumes, secrets, configs and models only the others used.
#include <map>
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

// compose-go's CheckContainerNameUnicity, which docker compose runs in `config` and
// before it creates containers (not in `down`, `ps`…).
void check_container_names(const nlohmann::ordered_json& model) {
  if (!model.contains("services")) return;
  std::map<std::string, std::string> owner;
  for (const auto& [name, s] : model["services"].items()) {
    if (!s.contains("container_name") || !s["container_name"].is_string()) continue;
    const std::string cn = s["container_name"].get<std::string>();
    auto [it, fresh] = owner.emplace(cn, name);
    if (!fresh) throw Error("services." + name + ": container name \"" + cn + "\" is already in use by service " + it->second);
  }
}

// docker compose refuses, when it creates a service's containers (not in `config`), a
// healthcheck with start_interval but no start_period, and a container_name two of them share.
void check_creatable(const nlohmann::ordered_json& model, const std::vector<std::string>& names) {
  if (!model.contains("services")) return;
  const auto& services = model["services"];
  std::set<std::string> seen;
  nlohmann::ordered_json selected = nlohmann::ordered_json::object();
  selected["services"] = nlohmann::ordered_json::object();
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
    selected["services"][name] = s;
    if (s.contains("healthcheck") && s["healthcheck"].is_object() && s["healthcheck"].contains("start_interval") &&
        !s["healthcheck"].contains("start_period"))
      throw Error("healthcheck.start_interval requires healthcheck.start_period to be set");
    if (s.contains("depends_on") && s["depends_on"].is_object())
      for (const auto& [dep, _] : s["depends_on"].items()) todo.push_back(dep);
  }
  check_container_names(selected);
}

}  // namespace mycompose::compose
