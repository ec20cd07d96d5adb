// `mycompose push [SERVICE…]` (docker compose push): pushes the image of every service that
// names one.
#include <iostream>
#include <set>

#include "commands.hpp"
#include "commands/flags/push.hpp"
#include "commands/pull_progress.hpp"
#include "commands/service_images.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/image/registry.hpp"

namespace mycompose::cli {

void register_push(CLI::App& app, Context& ctx) {
  static flags::PushOptions o;
  auto* cmd = flags::add_push(app, o);
  cmd->callback([&ctx] {
    auto project = compose::load_project(ctx.load_options(o.services));
    image::ImageStore store(image::ImageStore::default_root());
    std::string mode = o.quiet ? "quiet" : ctx.global.progress;
    std::set<std::string> done;
    std::string first_error;
    for (const auto& s : service_images(project, o.services, o.include_deps)) {
      if (s.image.empty()) continue;  // docker compose pushes only services with an image name
      try {
        auto ref = image::Reference::parse(s.image);
        if (!done.insert(ref.str()).second) continue;
        if (!store.resolve(ref.str()))
          throw Error("service \"" + s.service + "\": An image does not exist locally with the tag: " + ref.familiar());
        if (!o.quiet) std::cout << " " << s.service << " Pushing\n" << std::flush;
        PullProgress progress(mode);
        image::registry::PushOptions po;
        po.progress = progress.fn();
        if (ctx.global.parallel > 0) po.parallel = ctx.global.parallel;
        image::registry::push(store, ref.str(), ref, po);
        if (!o.quiet) std::cout << " " << s.service << " Pushed\n" << std::flush;
      } catch (const Error& e) {
        if (o.ignore_push_failures) {
          std::cerr << "WARNING: " << s.service << ": " << e.what() << "\n";
          continue;
        }
        if (first_error.empty()) first_error = e.what();
        std::cerr << " " << s.service << " Error " << e.what() << "\n";
      }
    }
    if (!first_error.empty()) throw Error(first_error);
  });
}

}  // namespace mycompose::cli
