#pragma once
// The top-level app (global flags + the given commands): parse argv, run, and map errors to
// the exit status. Shared by the full command line and the small `runtime` entry.
#include <initializer_list>

#include "context.hpp"

namespace mycompose::cli {

int run_with(std::initializer_list<Registrar> commands, int argc, char** argv);

}  // namespace mycompose::cli
