// Commands whose issue has not landed yet. Each is registered with its full set of flags
// (cli/commands/flags/<verb>.hpp), so `--help`, flag checks and argument parsing already work;
// running one exits 1 naming the issue that brings it.
//
// Implementing a verb: write cli/commands/<verb>.cpp with `register_<verb>` that calls
// `flags::add_<verb>(app, *opts)` and sets the callback, add the registrar to cli/app.cpp,
// and delete the verb's row (and its #include) here.
#include <memory>
#include <string>

#include "commands.hpp"
#include "commands/flags/alpha.hpp"
#include "commands/flags/attach.hpp"
#include "commands/flags/commit.hpp"
#include "commands/flags/create.hpp"
#include "commands/flags/engine.hpp"
#include "commands/flags/events.hpp"
#include "commands/flags/export.hpp"
#include "commands/flags/kill.hpp"
#include "commands/flags/ls.hpp"
#include "commands/flags/network.hpp"
#include "commands/flags/pause.hpp"
#include "commands/flags/port.hpp"
#include "commands/flags/ps.hpp"
#include "commands/flags/restart.hpp"
#include "commands/flags/rm.hpp"
#include "commands/flags/scale.hpp"
#include "commands/flags/start.hpp"
#include "commands/flags/stats.hpp"
#include "commands/flags/stop.hpp"
#include "commands/flags/system.hpp"
#include "commands/flags/top.hpp"
#include "commands/flags/unpause.hpp"
#include "commands/flags/volume.hpp"
#include "commands/flags/wait.hpp"
#include "commands/flags/watch.hpp"
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
  const char* issue;  // the issue that brings it
  Declare declare;
};

// One row per verb, in the order `mycompose --help` lists them.
const Pending kPending[] = {
    {"alpha", "[E]", declare<flags::AlphaOptions, flags::add_alpha>},
    {"attach", "[E]", declare<flags::AttachOptions, flags::add_attach>},
    {"commit", "[E]", declare<flags::CommitOptions, flags::add_commit>},
    {"create", "[E]", declare<flags::CreateOptions, flags::add_create>},
    {"events", "[E]", declare<flags::EventsOptions, flags::add_events>},
    {"export", "[E]", declare<flags::ExportOptions, flags::add_export>},
    {"kill", "[E]", declare<flags::KillOptions, flags::add_kill>},
    {"ls", "[E]", declare<flags::LsOptions, flags::add_ls>},
    {"pause", "[E]", declare<flags::PauseOptions, flags::add_pause>},
    {"port", "[E]", declare<flags::PortOptions, flags::add_port>},
    {"ps", "[E]", declare<flags::PsOptions, flags::add_ps>},
    {"restart", "[E]", declare<flags::RestartOptions, flags::add_restart>},
    {"rm", "[E]", declare<flags::RmOptions, flags::add_rm>},
    {"scale", "[E]", declare<flags::ScaleOptions, flags::add_scale>},
    {"start", "[E]", declare<flags::StartOptions, flags::add_start>},
    {"stats", "[E]", declare<flags::StatsOptions, flags::add_stats>},
    {"stop", "[E]", declare<flags::StopOptions, flags::add_stop>},
    {"top", "[E]", declare<flags::TopOptions, flags::add_top>},
    {"unpause", "[E]", declare<flags::UnpauseOptions, flags::add_unpause>},
    {"wait", "[E]", declare<flags::WaitOptions, flags::add_wait>},
    {"watch", "[E]", declare<flags::WatchOptions, flags::add_watch>},
    // mycompose's own
    {"volume", "[E]", declare<flags::VolumeOptions, flags::add_volume>},
    {"network", "[E]", declare<flags::NetworkOptions, flags::add_network>},
    {"system", "[E]", declare<flags::SystemOptions, flags::add_system>},
    // Being implemented now; already_registered() skips these once their real command is in.
};

// "volume ls" for the subcommand `ls` of `volume`.
std::string command_path(const CLI::App* cmd) {
  std::string path = cmd->get_name();
  for (const CLI::App* p = cmd->get_parent(); p && p->get_parent(); p = p->get_parent())
    path = p->get_name() + " " + path;
  return path;
}

// Every leaf command (the group `volume` has none of its own) says which issue brings it.
// The callback also keeps the options the flags are bound to alive as long as the app.
void say_not_yet(CLI::App* cmd, const std::string& issue, const std::shared_ptr<void>& options) {
  auto subs = cmd->get_subcommands([](CLI::App*) { return true; });
  if (!subs.empty()) {
    for (CLI::App* sub : subs) say_not_yet(sub, issue, options);
    return;
  }
  cmd->callback([path = command_path(cmd), issue, options] {
    throw Error("mycompose " + path + ": not implemented yet (arrives with issue " + issue + ")");
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
    say_not_yet(cmd, p.issue, options);
  }
}

}  // namespace mycompose::cli
