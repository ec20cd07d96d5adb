#pragma once
// Every command's registrar; cli/app.cpp calls them in this order (the order of --help).
#include "context.hpp"

namespace mycompose::cli {

void register_config(CLI::App& app, Context& ctx);
void register_version(CLI::App& app, Context& ctx);
void register_image(CLI::App& app, Context& ctx);
void register_runtime(CLI::App& app, Context& ctx);
void register_pull(CLI::App& app, Context& ctx);
void register_build(CLI::App& app, Context& ctx);
void register_push(CLI::App& app, Context& ctx);
void register_images(CLI::App& app, Context& ctx);
void register_login(CLI::App& app, Context& ctx);
void register_logout(CLI::App& app, Context& ctx);
void register_engine(CLI::App& app, Context& ctx);
void register_up(CLI::App& app, Context& ctx);
void register_down(CLI::App& app, Context& ctx);
void register_system(CLI::App& app, Context& ctx);
void register_volume(CLI::App& app, Context& ctx);
void register_volumes(CLI::App& app, Context& ctx);
void register_network(CLI::App& app, Context& ctx);
void register_create(CLI::App& app, Context& ctx);
void register_start(CLI::App& app, Context& ctx);
void register_stop(CLI::App& app, Context& ctx);
void register_restart(CLI::App& app, Context& ctx);
void register_kill(CLI::App& app, Context& ctx);
void register_rm(CLI::App& app, Context& ctx);
void register_pause(CLI::App& app, Context& ctx);
void register_unpause(CLI::App& app, Context& ctx);
void register_ps(CLI::App& app, Context& ctx);
void register_top(CLI::App& app, Context& ctx);
void register_port(CLI::App& app, Context& ctx);
void register_wait(CLI::App& app, Context& ctx);
void register_ls(CLI::App& app, Context& ctx);
void register_events(CLI::App& app, Context& ctx);
void register_stats(CLI::App& app, Context& ctx);
void register_logs(CLI::App& app, Context& ctx);
void register_exec(CLI::App& app, Context& ctx);
void register_cp(CLI::App& app, Context& ctx);
void register_run(CLI::App& app, Context& ctx);
void register_attach(CLI::App& app, Context& ctx);
void register_scale(CLI::App& app, Context& ctx);
void register_commit(CLI::App& app, Context& ctx);
void register_export(CLI::App& app, Context& ctx);
void register_image_pull_push(CLI::App& image_cmd, Context& ctx);  // `image pull`, `image push`
void register_not_yet(CLI::App& app, Context& ctx);  // commands whose issue has not landed

}  // namespace mycompose::cli
