// `mycompose scale SERVICE=N…`: as docker compose, an up of the named services (and, unless
// --no-deps, their dependencies at the scale the files give them) with the given replica
// counts. The engine's reconcile adds replicas after the highest number and removes the
// highest-numbered (or outdated) ones, leaving the rest as they are.
#include <map>

#include "commands.hpp"
#include "ensure_images.hpp"
#include "flags/scale.hpp"
#include "mycompose/common/error.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

namespace {

// "web=3" → {"web", 3}; the flag's validator already refused anything but SERVICE=digits.
std::map<std::string, int> parse_replicas(const std::vector<std::string>& args) {
  std::map<std::string, int> out;
  for (const auto& a : args) {
    const auto eq = a.find('=');
    const std::string service = a.substr(0, eq), count = a.substr(eq + 1);
    // Bounded: a count this large could only exhaust the host.
    if (count.size() > 6) throw Error("invalid scale specifier: can't parse replica value as int: " + a);
    out[service] = std::stoi(count);
  }
  return out;
}

}  // namespace

void register_scale(CLI::App& app, Context& ctx) {
  static flags::ScaleOptions o;
  auto* cmd = flags::add_scale(app, o);
  cmd->callback([&ctx] {
    const auto replicas = parse_replicas(o.scales);
    std::vector<std::string> services;
    for (const auto& [name, n] : replicas) services.push_back(name);
    auto project = compose::load_project(ctx.load_options(services));
    const auto defined = project.model.value("services", nlohmann::ordered_json::object());
    for (const auto& name : services)
      if (!defined.contains(name)) throw Error("no such service: " + name);
    ensure_images(project, {services, !o.no_deps, false, false, "policy", false});
    run_project_verb(project, "up", {{"services", services}, {"no_deps", o.no_deps}, {"scale", replicas}});
  });
}

}  // namespace mycompose::cli
