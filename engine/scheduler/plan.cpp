#include "mycompose/scheduler/plan.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/compose/config_hash.hpp"
#include "mycompose/runtime/sysctl.hpp"

namespace mycompose::scheduler {
namespace {

using Json = nlohmann::ordered_json;

std::vector<Dependency> dependencies(const Json& service) {
  std::vector<Dependency> deps;
  if (!service.contains("depends_on")) return deps;
  for (const auto& [name, d] : service["depends_on"].items()) {
    Dependency dep;
    dep.service = name;
    if (d.is_object()) {
      dep.condition = d.value("condition", dep.condition);
      dep.required = d.value("required", true);
      dep.restart = d.value("restart", false);
    }
    deps.push_back(dep);
  }
  return deps;
}

int replicas_of(const std::string& name, const Json& service, const PlanOptions& o) {
  long long n = 1;
  if (auto s = o.scale.find(name); s != o.scale.end()) n = s->second;
  else if (service.contains("scale")) n = service["scale"].get<long long>();
  else if (service.contains("deploy") && service["deploy"].contains("replicas")) n = service["deploy"]["replicas"].get<long long>();
  if (n < 0) throw Error("service \"" + name + "\": scale must not be negative (" + std::to_string(n) + ")");
  return static_cast<int>(n);
}

// The services to bring up: the named ones and, unless no_deps, everything they need.
std::set<std::string> selected(const Json& services, const PlanOptions& o) {
  std::set<std::string> out;
  if (o.services.empty()) {
    for (const auto& [name, s] : services.items()) out.insert(name);
    return out;
  }
  std::function<void(const std::string&)> add = [&](const std::string& name) {
    if (!out.insert(name).second || o.no_deps) return;
    for (const auto& d : dependencies(services[name]))
      if (services.contains(d.service)) add(d.service);
  };
  for (const auto& name : o.services) {
    if (!services.contains(name)) throw Error("no such service: " + name);
    add(name);
  }
  return out;
}

}  // namespace

DesiredContainer ServicePlan::desired(int number) const {
  DesiredContainer c;
  c.number = number;
  c.name = fixed_name.empty() ? name_prefix + std::to_string(number) : fixed_name;
  c.labels = labels;
  c.labels["com.docker.compose.container-number"] = std::to_string(number);
  return c;
}

const ServicePlan* Plan::find(const std::string& service) const {
  for (const auto& s : services)
    if (s.name == service) return &s;
  return nullptr;
}

std::string depends_on_label(const std::vector<Dependency>& deps) {
  std::string out;
  for (const auto& d : deps) {
    if (!out.empty()) out += ",";
    out += d.service + ":" + d.condition + ":" + (d.restart ? "true" : "false");
  }
  return out;
}

Plan make_plan(const compose::Project& project, const PlanOptions& options) {
  const Json services = project.model.value("services", Json::object());
  Plan plan;
  plan.project = project.name;
  const std::set<std::string> wanted = selected(services, options);

  std::map<std::string, ServicePlan> by_name;
  for (const auto& name : wanted) {
    const Json& s = services[name];
    ServicePlan sp;
    sp.name = name;
    sp.config_hash = compose::service_config_hash(s);
    sp.replicas = replicas_of(name, s, options);
    sp.depends_on = dependencies(s);
    for (const auto& d : sp.depends_on)
      if (d.required && !services.contains(d.service))
        throw Error("service \"" + name + "\" depends on undefined service \"" + d.service + "\"");
    const std::string container_name = s.value("container_name", "");
    if (!container_name.empty() && sp.replicas > 1)
      throw Error("service \"" + name + "\": container_name \"" + container_name + "\" cannot be used with " +
                  std::to_string(sp.replicas) + " replicas: container names must be unique");
    std::string config_files;
    for (const auto& f : project.config_files) config_files += (config_files.empty() ? "" : ",") + f;
    // docker compose's api.Separator: '_' under --compatibility (project_web_1), '-' otherwise.
    auto compat = project.environment.find("COMPOSE_COMPATIBILITY");
    const std::string sep = compat != project.environment.end() && compat->second == "true" ? "_" : "-";
    sp.name_prefix = project.name + sep + name + sep;
    sp.fixed_name = container_name;
    if (s.contains("labels"))
      for (const auto& [k, v] : s["labels"].items()) sp.labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
    sp.labels["com.docker.compose.project"] = project.name;
    sp.labels["com.docker.compose.service"] = name;
    sp.labels["com.docker.compose.config-hash"] = sp.config_hash;
    sp.labels["com.docker.compose.oneoff"] = "False";
    sp.labels["com.docker.compose.project.working_dir"] = project.working_dir;
    sp.labels["com.docker.compose.project.config_files"] = config_files;
    sp.labels["com.docker.compose.depends_on"] = depends_on_label(sp.depends_on);
    sp.labels["com.docker.compose.image"] = s.value("image", "");
    for (int n = 1; n <= sp.replicas; ++n) sp.containers.push_back(sp.desired(n));
    by_name.emplace(name, std::move(sp));
  }

  // Depth-first topological sort over sorted names: deterministic, and a cycle is reported
  // with its path.
  std::map<std::string, int> mark;  // 0 new, 1 on the current path, 2 done
  std::vector<std::string> path;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (mark[name] == 2) return;
    path.push_back(name);
    if (mark[name] == 1) {
      auto first = std::find(path.begin(), path.end(), name);
      std::string cycle;
      for (auto it = first; it != path.end(); ++it) cycle += (cycle.empty() ? "" : " -> ") + *it;
      throw Error("dependency cycle detected: " + cycle);
    }
    mark[name] = 1;
    std::vector<std::string> deps;
    for (const auto& d : by_name.at(name).depends_on)
      if (by_name.count(d.service)) deps.push_back(d.service);
    std::sort(deps.begin(), deps.end());
    for (const auto& d : deps) visit(d);
    mark[name] = 2;
    path.pop_back();
    plan.services.push_back(by_name.at(name));
  };
  for (const auto& [name, sp] : by_name) visit(name);
  return plan;
}

void check_sysctls(const compose::Project& project, const Plan& plan) {
  const Json services = project.model.value("services", Json::object());
  for (const auto& sp : plan.services) {
    const Json& service = services[sp.name];
    if (!service.contains("sysctls") || !service["sysctls"].is_object()) continue;
    auto own = [&](const char* key) { return service.value(key, "") != "host"; };
    const runtime::OwnNamespaces ns{own("ipc"), own("network_mode"), own("uts")};
    for (const auto& [key, value] : service["sysctls"].items())
      if (std::string why = runtime::sysctl_refusal(key, ns); !why.empty()) throw Error("service \"" + sp.name + "\": " + why);
  }
}

}  // namespace mycompose::scheduler
