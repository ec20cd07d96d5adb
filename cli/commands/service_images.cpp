#include "commands/service_images.hpp"

#include <set>

#include "mycompose/common/error.hpp"

namespace mycompose::cli {

namespace {

std::vector<std::string> dependencies(const nlohmann::ordered_json& svc) {
  std::vector<std::string> out;
  auto d = svc.find("depends_on");
  if (d == svc.end()) return out;
  if (d->is_object())
    for (auto it = d->begin(); it != d->end(); ++it) out.push_back(it.key());
  else if (d->is_array())
    for (const auto& x : *d)
      if (x.is_string()) out.push_back(x);
  return out;
}

}  // namespace

std::vector<ServiceImage> service_images(const compose::Project& project, const std::vector<std::string>& names,
                                         bool include_deps) {
  const auto& services = project.model.contains("services") ? project.model["services"] : nlohmann::ordered_json::object();
  std::set<std::string> wanted;
  std::vector<std::string> todo = names;
  for (const auto& n : names)
    if (!services.contains(n)) throw Error("no such service: " + n);
  while (!todo.empty()) {
    auto n = todo.back();
    todo.pop_back();
    if (!wanted.insert(n).second || !include_deps) continue;
    if (services.contains(n))
      for (const auto& d : dependencies(services[n])) todo.push_back(d);
  }
  std::vector<ServiceImage> out;
  for (auto it = services.begin(); it != services.end(); ++it) {
    if (!names.empty() && !wanted.count(it.key())) continue;
    const auto& svc = it.value();
    ServiceImage s;
    s.service = it.key();
    if (svc.contains("image") && svc["image"].is_string()) s.image = svc["image"];
    if (svc.contains("pull_policy") && svc["pull_policy"].is_string()) s.pull_policy = svc["pull_policy"];
    s.buildable = svc.contains("build") && !svc["build"].is_null();
    out.push_back(std::move(s));
  }
  return out;
}

std::string effective_image(const compose::Project& project, const ServiceImage& s) {
  return s.image.empty() ? project.name + "-" + s.service : s.image;
}

}  // namespace mycompose::cli
