// `mycompose image pull` / `image push` (docker image pull/push). Registered on the `image`
// command by register_image_pull_push(), which cli/commands/image.cpp calls.
#include <iostream>

#include "commands.hpp"
#include "commands/pull_progress.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/image/registry.hpp"

namespace mycompose::cli {

void register_image_pull_push(CLI::App& image_cmd, Context& ctx) {
  {
    auto* cmd = image_cmd.add_subcommand("pull", "Download an image from a registry");
    struct Opts {
      std::string name, platform;
      bool quiet = false;
    };
    static Opts o;
    cmd->add_option("NAME", o.name, "NAME[:TAG|@DIGEST]")->required();
    cmd->add_flag("-q,--quiet", o.quiet, "Suppress verbose output");
    cmd->add_option("--platform", o.platform, "Set platform if server is multi-platform capable");
    cmd->callback([&ctx] {
      auto ref = image::Reference::parse(o.name);
      image::ImageStore store(image::ImageStore::default_root());
      image::registry::PullOptions po;
      if (!o.platform.empty()) po.platform = image::registry::parse_platform(o.platform);
      PullProgress progress(o.quiet ? "quiet" : ctx.global.progress);
      po.progress = progress.fn();
      if (ctx.global.parallel > 0) po.parallel = ctx.global.parallel;
      image::registry::pull(store, ref, po);
      std::cout << ref.str() << "\n";
    });
  }
  {
    auto* cmd = image_cmd.add_subcommand("push", "Upload an image to a registry");
    struct Opts {
      std::string name;
      bool quiet = false;
    };
    static Opts o;
    cmd->add_option("NAME", o.name, "NAME[:TAG]")->required();
    cmd->add_flag("-q,--quiet", o.quiet, "Suppress verbose output");
    cmd->callback([&ctx] {
      auto ref = image::Reference::parse(o.name);
      image::ImageStore store(image::ImageStore::default_root());
      // As docker push: the image must carry the name being pushed.
      if (!store.resolve(ref.str())) throw Error("An image does not exist locally with the tag: " + ref.familiar_name() +
                                                 (ref.tag.empty() ? "" : ":" + ref.tag));
      image::registry::PushOptions po;
      PullProgress progress(o.quiet ? "quiet" : ctx.global.progress);
      po.progress = progress.fn();
      if (ctx.global.parallel > 0) po.parallel = ctx.global.parallel;
      auto r = image::registry::push(store, ref.str(), ref, po);
      if (o.quiet) std::cout << ref.str() << "\n";
      (void)r;
    });
  }
}

}  // namespace mycompose::cli
