// `mycompose down`: the project's containers (dependents first), networks and, with -v, its
// named volumes, removed by the engine.
#include "commands.hpp"
#include "flags/down.hpp"
#include "mycompose/common/error.hpp"
#include "project_request.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/image/store.hpp"
#include "service_images.hpp"

#include <iostream>
#include <set>

namespace mycompose::cli {
namespace {

// --rmi: the images the services used; `local` only those built without an image: name.
void remove_images(const compose::Project& project, bool all) {
  image::ImageStore store(daemon::default_root());
  std::set<std::string> done;
  for (const auto& s : service_images(project, {}, false)) {
    if (!all && !s.image.empty()) continue;
    const std::string ref = effective_image(project, s);
    if (!done.insert(ref).second || !store.resolve(ref)) continue;
    std::cerr << " \u2714 Image " << ref << "  Removing\n";
    try {
      store.remove(ref);
      std::cerr << " \u2714 Image " << ref << "  Removed\n";
    } catch (const Error& e) {
      std::cerr << " \u2718 Image " << ref << "  Error: " << e.what() << "\n";
    }
  }
}

}  // namespace

void register_down(CLI::App& app, Context& ctx) {
  static flags::DownOptions o;
  auto* cmd = flags::add_down(app, o);
  cmd->callback([&ctx, cmd] {
    if (!o.rmi.empty() && o.rmi != "local" && o.rmi != "all")
      throw Error("invalid --rmi \"" + o.rmi + "\": expected \"local\" or \"all\"");
    auto project = compose::load_project(ctx.load_options(o.services));
    nlohmann::json options = {{"volumes", o.volumes}, {"remove_orphans", o.remove_orphans}};
    if (cmd->count("--timeout")) options["timeout"] = o.timeout;
    run_project_verb(project, "down", options);
    if (!o.rmi.empty()) remove_images(project, o.rmi == "all");
  });
}

}  // namespace mycompose::cli
