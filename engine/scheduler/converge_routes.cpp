// POST /projects/{name}/up and /down: the Converger on a worker thread.
#include "project_services.hpp"

namespace mycompose::scheduler {

using nlohmann::json;

void install_converge_routes(daemon::Engine& engine, ProjectServices& services) {
  // The routes outlive no engine: `services` lives until the engine's shutdown.
  const std::filesystem::path root = engine.root();
  engine.router().add("POST /projects/{name}/up", [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    const json o = options_from(body);
    PlanOptions plan;
    plan.services = o.value("services", std::vector<std::string>{});
    plan.no_deps = o.value("no_deps", false);
    plan.scale = o.value("scale", std::map<std::string, int>{});
    ReconcileOptions rec;
    rec.force_recreate = o.value("force_recreate", false);
    rec.no_recreate = o.value("no_recreate", false);
    rec.remove_orphans = o.value("remove_orphans", false);
    rec.ignore_orphans = o.value("ignore_orphans", false);
    rec.always_recreate_deps = o.value("always_recreate_deps", false);
    rec.named = {plan.services.begin(), plan.services.end()};
    UpOptions up;
    up.no_start = o.value("no_start", false);
    if (o.contains("timeout")) up.timeout = std::chrono::seconds(o["timeout"].get<int>());
    up.wait = o.value("wait", false);
    up.renew_anon_volumes = o.value("renew_anon_volumes", false);
    up.recreate_volumes = o.value("recreate_volumes", std::vector<std::string>{});
    if (o.contains("wait_timeout")) up.wait_timeout = std::chrono::seconds(o["wait_timeout"].get<int>());
    services.run(project.name, out, [project, plan, rec, up, root](const ConvergeHooks& hooks, json&) {
      Converger(root, hooks).up(project, plan, rec, up);
    });
  });
  engine.router().add("POST /projects/{name}/down", [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    const json o = options_from(body);
    DownOptions down;
    down.remove_volumes = o.value("volumes", false);
    down.remove_orphans = o.value("remove_orphans", false);
    if (o.contains("timeout")) down.timeout = std::chrono::seconds(o["timeout"].get<int>());
    services.run(project.name, out, [project, down, root](const ConvergeHooks& hooks, json&) {
      Converger(root, hooks).down(project, down);
    });
  });
}

}  // namespace mycompose::scheduler
