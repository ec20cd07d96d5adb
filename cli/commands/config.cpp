#include <iostream>

#include "commands.hpp"
#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

void register_config(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("config", "Parse, resolve and render compose file in canonical format");
  static std::string format = "yaml";
  cmd->add_option("--format", format, "Format the output. Values: [yaml | json]");
  cmd->callback([&ctx] {
    auto project = compose::load_project(ctx.load_options());
    std::cout << project.model.dump(2) << "\n";
  });
}

}  // namespace mycompose::cli
