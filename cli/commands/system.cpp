// `mycompose system check [--fix]` and `mycompose system prune`.
//
// check runs in the CLI, not in the engine: it must work when the engine is gone or
// broken, and it only reads the host (and, with --fix, removes what no state accounts for).
#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "commands/flags/system.hpp"
#include "commands/sys_output.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/system_check.hpp"

namespace mycompose::cli {

namespace {

int run_check(bool fix) {
  const auto root = sys_output::state_root();
  auto leaks = scheduler::find_leaks(root);
  for (const auto& l : leaks) std::cout << scheduler::describe(l) << "\n";
  if (leaks.empty()) {
    std::cout << "No leaks found in " << root.string() << "\n";
    return 0;
  }
  if (!fix) {
    std::cout << leaks.size() << (leaks.size() == 1 ? " leak" : " leaks") << " found in " << root.string()
              << " (--fix removes them)\n";
    return 1;
  }
  for (const auto& f : scheduler::fix_leaks(root, leaks)) std::cout << "could not fix " << scheduler::describe(f) << "\n";
  // What is left is what counts: a fix may also have taken away what another leak held.
  auto left = scheduler::find_leaks(root);
  for (const auto& l : left) std::cout << "still there: " << scheduler::describe(l) << "\n";
  std::cout << "Removed " << (leaks.size() - std::min(leaks.size(), left.size())) << " of " << leaks.size()
            << (leaks.size() == 1 ? " leak" : " leaks") << "\n";
  return left.empty() ? 0 : 1;
}

int run_prune(const flags::SystemOptions& o) {
  if (!o.prune.filters.empty()) throw Error("system prune: --filter is not supported yet");
  if (!o.prune.force) {
    std::string warning = "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n";
    if (o.prune.volumes) warning += "  - all anonymous volumes not used by at least one container\n";
    warning += o.prune.all ? "  - all images without at least one container associated to them\n  - all build cache\n"
                           : "  - all dangling images\n  - unused build cache\n";
    if (!sys_output::confirm(warning)) return 0;
  }
  const auto done = sys_output::engine_op("POST", "/system/prune", {{"all", o.prune.all}, {"volumes", o.prune.volumes}});
  auto section = [&](const char* title, const char* key) {
    const auto items = done.value(key, std::vector<std::string>{});
    if (items.empty()) return;
    std::cout << title << ":\n";
    for (const auto& i : items) std::cout << i << "\n";
    std::cout << "\n";
  };
  section("Deleted Containers", "containers");
  section("Deleted Networks", "networks");
  section("Deleted Volumes", "volumes");
  section("Deleted Images", "images");
  section("Deleted build cache objects", "build_cache");
  std::cout << "Total reclaimed space: " << sys_output::human_size(done.value("reclaimed", 0.0)) << "\n";
  return 0;
}

}  // namespace

void register_system(CLI::App& app, Context& ctx) {
  static flags::SystemOptions o;
  auto* cmd = flags::add_system(app, o);
  cmd->get_subcommand("check")->callback([&ctx] { ctx.exit_code = run_check(o.check.fix); });
  cmd->get_subcommand("prune")->callback([&ctx] { ctx.exit_code = run_prune(o); });
}

}  // namespace mycompose::cli
