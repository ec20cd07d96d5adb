// Healthchecks of the project's containers, on the engine's loop.
#include <spdlog/spdlog.h>

#include "mycompose/common/fs.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "project_services.hpp"

namespace mycompose::scheduler {

void ProjectServices::watch_health(const std::string& id, bool resume) {
  if (!health_) return;
  try {
    ContainerStore store(engine.root());
    const auto dir = store.folder(id);
    if (!std::filesystem::exists(dir / "service.json")) return;  // not a service's container
    auto rec = store.find(id);
    if (!rec) return;
    const auto saved = nlohmann::json::parse(fs::read_file(dir / "service.json"));
    const auto config = health::resolve_health_config(image::ImageStore(engine.root()).image_config(rec->image_id), saved.at("definition"));
    if (!config.enabled()) return;
    health::WatchOptions options;
    options.resume = resume;
    options.attributes = {{"name", rec->name}};
    if (resume) {
      const pid_t pid = store.state(id).pid;
      if (pid > 0) options.started_at = health::process_started_at(pid);
    }
    health_->watch(id, config, options);
  } catch (const std::exception& e) {
    spdlog::warn("healthcheck of {}: {}", id, e.what());
  }
}

}  // namespace mycompose::scheduler
