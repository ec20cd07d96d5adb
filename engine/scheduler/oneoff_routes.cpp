// POST /projects/{name}/run (a one-off container created and started; the last line carries
// its id, name and pid) and POST /projects/{name}/run/{id}/remove (run --rm), on a worker
// thread under the project's lock.
#include "oneoff.hpp"
#include "project_services.hpp"

namespace mycompose::scheduler {

using nlohmann::json;

void install_oneoff_routes(daemon::Engine& engine, ProjectServices& services) {
  const std::filesystem::path root = engine.root();
  engine.router().add("POST /projects/{name}/run", [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const compose::Project project = project_from(body);
    const json o = options_from(body);
    OneOffRequest r;
    try {
      r.service = o.at("service").get<std::string>();
      r.name = o.value("name", "");
      r.labels = o.value("labels", std::map<std::string, std::string>{});
      r.no_deps = o.value("no_deps", false);
      r.use_aliases = o.value("use_aliases", false);
      r.remove_orphans = o.value("remove_orphans", false);
      r.stdin_fifo = o.value("stdin_fifo", "");
      r.stdout_fifo = o.value("stdout_fifo", "");
      r.stderr_fifo = o.value("stderr_fifo", "");
      r.console_socket = o.value("console_socket", "");
    } catch (const std::exception& e) {
      throw daemon::HttpError(400, std::string("bad options: ") + e.what());
    }
    services.run(project.name, out, [project, r, root](const ConvergeHooks& hooks, json& result) {
      OneOff c = run_oneoff(root, project, r, hooks);
      result = {{"id", c.id}, {"name", c.name}, {"pid", c.pid}};
    });
  });
  engine.router().add("POST /projects/{name}/run/{id}/remove",
                      [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
                        const json body = req.json_body();
                        const compose::Project project = project_from(body);
                        const std::string id = req.param("id");
                        services.run(project.name, out, [project, id, root](const ConvergeHooks& hooks, json&) {
                          remove_oneoff(root, project, id, hooks);
                        });
                      });
}

}  // namespace mycompose::scheduler
