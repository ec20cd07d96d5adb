#include <iostream>

#include "commands.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {
namespace {

struct Pending {
  const char* name;
  const char* help;
  const char* issue;  // the issue that brings it
};

// Registered so `--help` and flag parsing work; running one says which issue brings it.
const Pending kPending[] = {
    {"up", "Create and start containers", "[E]"},
    {"down", "Stop and remove containers, networks", "[E]"},
    {"runtime", "OCI runtime (create, start, state, kill, delete, run, exec, list, ps, pause, resume)", "[B]"},
};

}  // namespace

void register_not_yet(CLI::App& app, Context& ctx) {
  for (const auto& p : kPending) {
    auto* cmd = app.add_subcommand(p.name, p.help);
    cmd->allow_extras();
    std::string name = p.name, issue = p.issue;
    cmd->callback([name, issue] {
      throw Error("mycompose " + name + ": not implemented yet (arrives with issue " + issue + ")");
    });
  }
}

}  // namespace mycompose::cli
