#pragma once
// docker's (pflag's) flag syntax on top of CLI11's.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace mycompose::cli {

// Every flag occurrence takes exactly one value, as in docker: `-p 80:80 web` publishes one
// port and leaves `web` as SERVICE, where CLI11's default lets a list option swallow it.
// Repeat the flag for more values (`-e A=1 -e B=2`). Applies to the whole command tree.
void use_docker_flag_style(CLI::App& app);

// argv with `--flag=` (an empty value, as pflag reads it) split into `--flag` and "": CLI11
// would take the next argument as the value. Stops at `--` and at a command's own arguments.
std::vector<std::string> with_empty_values(CLI::App& app, int argc, char** argv);

}  // namespace mycompose::cli
