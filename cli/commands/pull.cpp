// `mycompose pull [SERVICE…]` (docker compose pull): pulls every service image, honouring
// pull_policy (always, missing/if_not_present, never, build) and --policy.
#include <iostream>
#include <set>

#include "commands.hpp"
#include "commands/flags/pull.hpp"
#include "commands/pull_progress.hpp"
#include "commands/service_images.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/image/registry.hpp"

namespace mycompose::cli {

void register_pull(CLI::App& app, Context& ctx) {
  static flags::PullOptions o;
  auto* cmd = flags::add_pull(app, o);
  cmd->callback([&ctx] {
    auto project = compose::load_project(ctx.load_options(o.services));
    image::ImageStore store(image::ImageStore::default_root());
    std::string mode = o.quiet ? "quiet" : ctx.global.progress;
    auto say = [&](const std::string& line) {
      if (!o.quiet) std::cout << line << "\n" << std::flush;
    };
    std::set<std::string> done;
    std::string first_error;
    for (const auto& s : service_images(project, o.services, o.include_deps)) {
      if (s.image.empty()) continue;  // built only: nothing to pull
      std::string policy = o.policy.empty() ? s.pull_policy : o.policy;
      if (policy == "if_not_present") policy = "missing";
      if (policy == "never" || policy == "build") {
        say(" " + s.service + " Skipped");
        continue;
      }
      if (s.buildable && o.ignore_buildable) {
        say(" " + s.service + " Skipped - Image can be built");
        continue;
      }
      image::Reference ref;
      try {
        ref = image::Reference::parse(s.image);
      } catch (const Error& e) {
        throw Error("service \"" + s.service + "\": " + e.what());
      }
      if (policy == "missing" && store.resolve(ref.str())) {
        say(" " + s.service + " Skipped - Image is already present locally");
        continue;
      }
      if (!done.insert(ref.str()).second) {
        say(" " + s.service + " Pulled");
        continue;
      }
      say(" " + s.service + " Pulling");
      try {
        PullProgress progress(mode);
        image::registry::PullOptions po;
        po.progress = progress.fn();
        if (ctx.global.parallel > 0) po.parallel = ctx.global.parallel;
        image::registry::pull(store, ref, po);
        say(" " + s.service + " Pulled");
      } catch (const Error& e) {
        // A service that can be built is not lost when its image cannot be pulled.
        if (s.buildable || o.ignore_pull_failures) {
          std::cerr << "WARNING: " << s.service << ": " << e.what() << "\n";
          continue;
        }
        std::cerr << " " << s.service << " Error " << e.what() << "\n";
        if (first_error.empty()) first_error = e.what();
      }
    }
    if (!first_error.empty()) throw Error(first_error);
  });
}

}  // namespace mycompose::cli
