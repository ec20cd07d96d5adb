// `mycompose build [SERVICE…]` (docker compose build): builds every service that has a build
// section with the Dockerfile builder, in process (build_services.cpp, shared with up --build).
// Images are named by `image:` or "<project>-<service>".
#include "commands.hpp"
#include "commands/build_services.hpp"
#include "commands/flags/build.hpp"
#include "commands/service_images.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {

void register_build(CLI::App& app, Context& ctx) {
  static flags::BuildOptions o;
  auto* cmd = flags::add_build(app, o);
  cmd->callback([&ctx] {
    if (o.print || o.check) throw Error(std::string(o.print ? "--print" : "--check") + " is not supported by mycompose build (there is no bake file)");
    auto project = compose::load_project(ctx.load_options(o.services));
    image::ImageStore store(image::ImageStore::default_root());
    std::vector<ServiceImage> buildable;
    for (const auto& s : service_images(project, o.services, o.with_dependencies))
      if (s.buildable) buildable.push_back(s);
    build_services(project, buildable, o, store, o.quiet || ctx.global.progress == "quiet");
  });
}

}  // namespace mycompose::cli
