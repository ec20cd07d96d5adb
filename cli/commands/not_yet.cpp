// Commands docker compose has and mycompose does not. Each is registered with its full set of
// flags (cli/commands/flags/<verb>.hpp), so `--help`, flag checks and argument parsing work;
// running one exits 1 saying it is not supported, and why.
//
// Implementing a verb: write cli/commands/<verb>.cpp with `register_<verb>` that calls
// `flags::add_<verb>(app, *opts)` and sets the callback, add the registrar to cli/app.cpp,
// and delete the verb's row (and its #include) here.
#include <memory>
#include <string>

#include "commands.hpp"
#include "commands/flags/alpha.hpp"
#include "commands/flags/engine.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {
namespace {

// Declares one verb; returns it and the object its flags are bound to.
using Declare = CLI::App* (*)(CLI::App& app, std::shared_ptr<void>& options);

template <class Options, CLI::App* (*Add)(CLI::App&, Options&)>
CLI::App* declare(CLI::App& app, std::shared_ptr<void>& options) {
  auto o = std::make_shared<Options>();
  options = o;
  return Add(app, *o);
}

struct Pending {
  const char* name;   // the subcommand the declare function adds
  const char* why;    // what the user is told after "is not supported: "
  Declare declare;
};

// One row per verb, in the order `mycompose --help` lists them.
const Pending kPending[] = {
    {"alpha", "docker compose's experimental (alpha) commands are not part of mycompose",
     declare<flags::AlphaOptions, flags::add_alpha>},
    // mycompose's own
    // Being implemented now; already_registered() skips these once their real command is in.
};

// "volume ls" for the subcommand `ls` of `volume`.
std::string command_path(const CLI::App* cmd) {
  std::string path = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p && p->get_parent(); p = p->get_parent())
    path = p->get_name() + " " + path;
  return path;
}

// Every leaf command (the group `volume` has none of its own) says why it is not there.
// The callback also keeps the options the flags are bound to alive as long as the app.
void say_not_yet(CLI::App* cmd, const std::string& why, const std::shared_ptr<void>& options) {
  auto subs = cmd->get_subcommands([](CLI::App*) { return true; });
  if (!subs.empty()) {
    for (CLI::App* sub : subs) say_not_yet(sub, why, options);
    return;
  }
  cmd->callback([path = command_path(cmd), why, options] {
    throw Error("mycompose " + path + " is not supported: " + why);
  });
}

bool already_registered(CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    if (sub->get_name() == name) return true;
  return false;
}

}  // namespace

void register_not_yet(CLI::App& app, Context&) {
  for (const auto& p : kPending) {
    // A verb whose real command is already registered wins, so that landing it cannot clash
    // with a row not yet deleted here.
    if (already_registered(app, p.name)) continue;
    std::shared_ptr<void> options;
    CLI::App* cmd = p.declare(app, options);
    say_not_yet(cmd, p.why, options);
  }
}

}  // namespace mycompose::cli
