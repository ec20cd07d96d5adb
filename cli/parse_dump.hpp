#pragma once
// Test hook: with MYCOMPOSE_DEBUG_PARSE set, mycompose parses the command line, runs no
// command, and prints what it parsed as JSON. Tests use it to pin argument parsing
// (e.g. that `exec web ls -la` leaves `-la` to the command) without running anything.
#include <CLI/CLI.hpp>

#include <iosfwd>

namespace mycompose::cli {

bool parse_dump_requested();

// Removes every command callback so that parsing runs nothing.
void disarm_callbacks(CLI::App& app);

// {"command": ["volume", "ls"], "global": {...}, "options": {"--quiet": ["true"]},
//  "positionals": {"SERVICE": ["web"]}} — only what was given on the command line.
void print_parse_dump(const CLI::App& app, std::ostream& out);

}  // namespace mycompose::cli
