#include "mycompose/scheduler/engine_routes.hpp"

#include <memory>

#include "project_services.hpp"

namespace mycompose::scheduler {
namespace {

void install(daemon::Engine& engine) {
  auto services = std::make_shared<ProjectServices>(engine);
  engine.on_shutdown([services] { services->close(); });
  install_converge_routes(engine, *services);
  install_network_routes(engine, *services);
  install_system_routes(engine, *services);
  install_lifecycle_routes(engine, *services);
  install_oneoff_routes(engine, *services);
  install_log_routes(engine, *services);
  install_exec_routes(engine, *services);
}

}  // namespace

void enable_project_routes() {
  static const bool once = daemon::add_engine_extension("projects", install);
  (void)once;
}

}  // namespace mycompose::scheduler
