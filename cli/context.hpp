#pragma once
// What every command sees: the global flags and a place for its exit status.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

struct GlobalOptions {
  std::vector<std::string> files;
  std::string project_name;
  std::string project_directory;
  std::string workdir;  // docker compose's hidden, deprecated --workdir: --project-directory
  std::vector<std::string> profiles;
  std::vector<std::string> env_files;
  std::string ansi = "auto";       // never|always|auto
  std::string progress = "auto";   // auto|tty|plain|json|quiet
  bool dry_run = false;
  int parallel = -1;
  bool compatibility = false;
  bool all_resources = false;
  bool verbose = false;  // docker compose's hidden --verbose: more output
};

struct Context {
  GlobalOptions global;
  int exit_code = 0;

  // LoadOptions from the global flags and the process environment.
  compose::LoadOptions load_options(const std::vector<std::string>& services = {}) const;
};

// One function per command (cli/commands/<verb>.cpp) adds its subcommand to the app.
using Registrar = void (*)(CLI::App& app, Context& ctx);

}  // namespace mycompose::cli
