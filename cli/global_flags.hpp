#pragma once
// The global flags of docker compose (-f, -p, --profile…), shared by the full command line and
// the small `runtime` entry.
#include <CLI/CLI.hpp>

#include "context.hpp"

namespace mycompose::cli {

void add_global_flags(CLI::App& app, GlobalOptions& g);

}  // namespace mycompose::cli
