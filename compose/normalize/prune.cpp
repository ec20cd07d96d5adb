// Compose leaves out of a project the networks, volumes, secrets, configs and models that
// no service uses (docker compose's WithoutUnnecessaryResources), unless --all-resources.
#include <set>

#include "stages.hpp"

namespace mycompose::compose::schema {

void drop_unused_resources(json& model) {
  std::set<std::string> used[5];  // networks, volumes, secrets, configs, models
  for (const auto& [name, s] : model["services"].items()) {
    if (s.contains("networks"))
      for (const auto& [n, _] : s["networks"].items()) used[0].insert(n);
    if (s.contains("volumes"))
      for (const auto& v : s["volumes"])
        if (v.value("type", "") == "volume" && v.contains("source")) used[1].insert(v["source"].get<std::string>());
    auto refs = [&](const json& list, std::set<std::string>& into) {
      for (const auto& r : list) into.insert(r["source"].get<std::string>());
    };
    if (s.contains("secrets")) refs(s["secrets"], used[2]);
    if (s.contains("build") && s["build"].contains("secrets")) refs(s["build"]["secrets"], used[2]);
    if (s.contains("configs")) refs(s["configs"], used[3]);
    if (s.contains("models"))
      for (const auto& [m, _] : s["models"].items()) used[4].insert(m);
  }
  const char* sections[] = {"networks", "volumes", "secrets", "configs", "models"};
  for (int i = 0; i < 5; ++i) {
    if (!model.contains(sections[i])) continue;
    json kept = json::object();
    for (auto& [k, v] : model[sections[i]].items())
      if (used[i].count(k)) kept[k] = std::move(v);
    model[sections[i]] = std::move(kept);
  }
}

}  // namespace mycompose::compose::schema
