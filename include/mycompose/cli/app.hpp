#pragma once

namespace mycompose::cli {

// Parses argv and runs the command; returns the process exit status. Never throws.
int run(int argc, char** argv);

}  // namespace mycompose::cli
