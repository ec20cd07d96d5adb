// `mycompose system check [--fix]` and `mycompose system prune`.
//
// check runs in the CLI, not in the engine: it must work when the engine is gone or
// broken, and it only reads the host (and, with --fix, removes what no state accounts for).
#include <algorithm>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "commands/flags/system.hpp"
#include "commands/sys_output.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/scheduler/system_check.hpp"
#include "mycompose/scheduler/volumes.hpp"

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

// docker system df: what the root's images, containers, volumes and build cache take, and
// what of it no container uses. Read from disk: sizes need no engine.
int run_df() {
  const auto root = sys_output::state_root();
  scheduler::ContainerStore store(root);
  const auto containers = store.list();
  std::set<std::string> used_images;
  std::int64_t c_size = 0, c_reclaim = 0;
  int c_active = 0;
  for (const auto& c : containers) {
    used_images.insert(c.image_id);
    const std::int64_t size = scheduler::disk_usage(root / "containers" / c.id / "upper");
    c_size += size;
    const std::string status = store.state(c.id).status;
    if (status == "running" || status == "paused") ++c_active;
    else c_reclaim += size;
  }
  std::int64_t i_size = 0, i_reclaim = 0;
  int i_total = 0, i_active = 0;
  for (const auto& img : image::ImageStore(root).list()) {
    ++i_total;
    i_size += img.size;
    if (used_images.count(img.id)) ++i_active;
    else i_reclaim += img.size;
  }
  const auto users = scheduler::volume_users(root);
  std::int64_t v_size = 0, v_reclaim = 0;
  int v_total = 0, v_active = 0;
  for (const auto& v : scheduler::list_volumes(root)) {
    ++v_total;
    const std::int64_t size = scheduler::disk_usage(v.mountpoint);
    v_size += size;
    if (users.count(v.name) && !users.at(v.name).empty()) ++v_active;
    else v_reclaim += size;
  }
  int b_total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(root / "build-cache" / "records", ec))
    b_total += e.path().extension() == ".json";
  auto pct = [](std::int64_t part, std::int64_t whole) {
    return whole > 0 ? " (" + std::to_string(part * 100 / whole) + "%)" : std::string(" (0%)");
  };
  auto h = [](std::int64_t n) { return sys_output::human_size(static_cast<double>(n)); };
  // Docker's own column widths for this table (not tabwriter's minimum).
  std::vector<std::vector<std::string>> rows{
      {"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"},
      {"Images", std::to_string(i_total), std::to_string(i_active), h(i_size), h(i_reclaim) + pct(i_reclaim, i_size)},
      {"Containers", std::to_string(containers.size()), std::to_string(c_active), h(c_size), h(c_reclaim) + pct(c_reclaim, c_size)},
      {"Local Volumes", std::to_string(v_total), std::to_string(v_active), h(v_size), h(v_reclaim) + pct(v_reclaim, v_size)},
      {"Build Cache", std::to_string(b_total), "0", "0B", "0B"}};
  sys_output::print_table(rows);
  return 0;
}

}  // namespace

void register_system(CLI::App& app, Context& ctx) {
  static flags::SystemOptions o;
  auto* cmd = flags::add_system(app, o);
  cmd->get_subcommand("check")->callback([&ctx] { ctx.exit_code = run_check(o.check.fix); });
  cmd->get_subcommand("prune")->callback([&ctx] { ctx.exit_code = run_prune(o); });
  cmd->add_subcommand("df", "Show mycompose disk usage")->callback([&ctx] { ctx.exit_code = run_df(); });
}

}  // namespace mycompose::cli
