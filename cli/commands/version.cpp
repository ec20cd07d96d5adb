#include <iostream>

#include "commands.hpp"

namespace mycompose::cli {

void register_version(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("version", "Show the mycompose version information");
  static std::string format;
  static bool short_ = false;
  cmd->add_option("-f,--format", format, "Format the output. Values: [pretty | json]");
  cmd->add_flag("--short", short_, "Shows only Compose's version number");
  cmd->callback([] {
    if (short_) std::cout << MYCOMPOSE_VERSION << "\n";
    else if (format == "json") std::cout << "{\"version\":\"v" << MYCOMPOSE_VERSION << "\"}\n";
    else std::cout << "mycompose version v" << MYCOMPOSE_VERSION << "\n";
  });
}

}  // namespace mycompose::cli
