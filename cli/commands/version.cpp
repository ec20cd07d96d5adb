// `mycompose version`: flags and output as `docker compose version`.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"

namespace mycompose::cli {
namespace {

struct VersionOptions {
  std::string format = "pretty";
  bool short_ = false;
};

}  // namespace

void register_version(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<VersionOptions>();
  auto* cmd = app.add_subcommand("version", "Show the mycompose version information");
  cmd->add_option("-f,--format", o->format, "Format the output. Values: [pretty | json]. (Default: pretty)")
      ->check(CLI::IsMember({"pretty", "json"}));
  cmd->add_flag("--short", o->short_, "Shows only Compose's version number");
  cmd->callback([o] {
    const std::string version = MYCOMPOSE_VERSION;
    if (o->short_) std::cout << version << "\n";
    else if (o->format == "json") std::cout << nlohmann::json{{"version", "v" + version}}.dump() << "\n";
    else std::cout << "mycompose version v" << version << "\n";
  });
}

}  // namespace mycompose::cli
