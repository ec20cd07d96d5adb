// `mycompose commit SERVICE [REPOSITORY[:TAG]]`: a service container's changes as a new
// image in the store (scheduler/commit.hpp). Like `cp` and `export`, the CLI (root on the
// engine's host) reads the container's folder itself.
#include <iostream>

#include "commands.hpp"
#include "flags/commit.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/commit.hpp"
#include "progress/progress.hpp"
#include "service_container.hpp"

namespace mycompose::cli {

void register_commit(CLI::App& app, Context& ctx) {
  static flags::CommitOptions o;
  auto* cmd = flags::add_commit(app, o);
  cmd->get_option("--change")->allow_extra_args(false);  // one instruction per -c: SERVICE is not one
  cmd->callback([&ctx] {
    auto project = compose::load_project(ctx.load_options({o.service}));
    if (!project.model.value("services", nlohmann::ordered_json::object()).contains(o.service))
      throw Error("no such service: " + o.service);
    const auto root = std::filesystem::absolute(daemon::default_root());
    scheduler::ContainerStore store(root);
    // docker compose commits a running container (one-offs included), the lowest number
    // unless --index names one.
    const auto rec = service_container(store, {project.name, o.service, o.index, true, true});
    const std::string id = "Container " + rec.name;
    auto renderer = progress::make_renderer("Committing", false);
    renderer->event({id, "Committing", progress::State::Working, ""});
    std::string image;
    try {
      image = scheduler::commit_container(root, rec, {o.author, o.message, o.changes, o.pause, o.reference});
    } catch (const std::exception& e) {
      renderer->event({id, "Error", progress::State::Error, e.what()});
      renderer->finish();
      throw;
    }
    renderer->event({id, "Committed as " + image, progress::State::Done, ""});
    renderer->finish();
  });
}

}  // namespace mycompose::cli
