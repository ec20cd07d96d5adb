#include "mycompose/cli/app.hpp"

#include <string_view>

#include "commands/commands.hpp"
#include "parse_dump.hpp"
#include "run_app.hpp"

namespace mycompose::cli {

void register_watch(CLI::App& app, Context& ctx);  // commands/watch.cpp

int run(int argc, char** argv) {
  // `mycompose runtime …` starts containers: building the other commands' hundreds of
  // options would cost ~3 ms per container start.
  if (argc > 1 && std::string_view(argv[1]) == "runtime" && !parse_dump_requested()) return run_with({register_runtime}, argc, argv);
  return run_with({register_config, register_version, register_image, register_runtime, register_build, register_pull, register_push,
                          register_images, register_login, register_logout, register_engine, register_up, register_down, register_system, register_volume, register_volumes, register_network, register_logs, register_exec, register_cp, register_run, register_attach, register_create, register_start, register_stop, register_restart, register_kill, register_rm, register_pause, register_unpause, register_ps, register_top, register_port, register_wait, register_ls, register_events, register_stats, register_scale, register_commit, register_export, register_watch, register_not_yet}, argc, argv);
}

}  // namespace mycompose::cli
