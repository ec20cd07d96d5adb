// `mycompose kill [-s SIGNAL]`: a signal (SIGKILL by default) to the running containers.
#include "container_table.hpp"
#include "commands.hpp"
#include "project_from_labels.hpp"
#include "flags/kill.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

void register_kill(CLI::App& app, Context& ctx) {
  static flags::KillOptions o;
  auto* cmd = flags::add_kill(app, o);
  cmd->callback([&ctx] {
    runtime::parse_signal(o.signal);  // a bad name fails here, before the engine is asked
    run_project_verb(project_or_name(ctx, o.services), "kill", {{"services", o.services}, {"signal", o.signal}});
  });
}

}  // namespace mycompose::cli
