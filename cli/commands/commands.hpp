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
void register_logs(CLI::App& app, Context& ctx);
void register_exec(CLI::App& app, Context& ctx);
void register_cp(CLI::App& app, Context& ctx);
void register_run(CLI::App& app, Context& ctx);
void register_image_pull_push(CLI::App& image_cmd, Context& ctx);  // `image pull`, `image push`
void register_not_yet(CLI::App& app, Context& ctx);  // commands whose issue has not landed

}  // namespace mycompose::cli
