// What `up` does about each service's image before the engine creates containers (the
// "Pulling"/"Building" part of its progress): pull_policy, --pull, --build and --no-build.
#include <catch2/catch.hpp>

#include "ensure_images.hpp"
#include "mycompose/common/error.hpp"

using mycompose::cli::ImageAction;
using mycompose::cli::ImageOptions;
using mycompose::cli::ServiceImage;
using mycompose::cli::image_action;

namespace {

ServiceImage svc(std::string image, std::string policy, bool buildable) {
  return ServiceImage{"web", std::move(image), std::move(policy), buildable};
}

ImageOptions opts(std::string pull = "policy", bool build = false, bool no_build = false) {
  ImageOptions o;
  o.pull = std::move(pull);
  o.build = build;
  o.no_build = no_build;
  return o;
}

}  // namespace

TEST_CASE("images: a service that is only pulled follows pull_policy, and --pull overrides it") {
  CHECK(image_action(svc("redis", "", false), "redis", false, opts()) == ImageAction::Pull);
  CHECK(image_action(svc("redis", "", false), "redis", true, opts()) == ImageAction::None);
  CHECK(image_action(svc("redis", "if_not_present", false), "redis", true, opts()) == ImageAction::None);
  CHECK(image_action(svc("redis", "daily", false), "redis", true, opts()) == ImageAction::None);
  CHECK(image_action(svc("redis", "daily", false), "redis", false, opts()) == ImageAction::Pull);
  CHECK(image_action(svc("redis", "always", false), "redis", true, opts()) == ImageAction::Pull);
  CHECK(image_action(svc("redis", "never", false), "redis", true, opts()) == ImageAction::None);
  CHECK(image_action(svc("redis", "", false), "redis", true, opts("always")) == ImageAction::Pull);
  CHECK(image_action(svc("redis", "always", false), "redis", true, opts("missing")) == ImageAction::None);
  // --build is a no-op for a service without a build section.
  CHECK(image_action(svc("redis", "", false), "redis", true, opts("policy", true)) == ImageAction::None);
}

TEST_CASE("images: pull_policy never with a missing image fails naming the service and the image") {
  CHECK_THROWS_WITH(image_action(svc("busybox:nope", "never", false), "busybox:nope", false, opts()),
                    "service \"web\": No such image: busybox:nope (pull_policy: never)");
  CHECK_THROWS_WITH(image_action(svc("redis", "", false), "redis", false, opts("never")),
                    "service \"web\": No such image: redis (pull_policy: never)");
}

TEST_CASE("images: a service with a build section is built when its image is missing, always with --build, never with --no-build") {
  CHECK(image_action(svc("", "", true), "shop-web", false, opts()) == ImageAction::Build);
  CHECK(image_action(svc("", "", true), "shop-web", true, opts()) == ImageAction::None);
  CHECK(image_action(svc("", "", true), "shop-web", true, opts("policy", true)) == ImageAction::Build);
  CHECK(image_action(svc("", "build", true), "shop-web", true, opts()) == ImageAction::Build);
  // A named image is pulled first; the build is the fallback.
  CHECK(image_action(svc("me/web", "", true), "me/web", false, opts()) == ImageAction::PullOrBuild);
  CHECK(image_action(svc("me/web", "always", true), "me/web", true, opts()) == ImageAction::PullOrBuild);
  CHECK(image_action(svc("", "", true), "shop-web", true, opts("policy", false, true)) == ImageAction::None);
  CHECK(image_action(svc("me/web", "", true), "me/web", false, opts("policy", false, true)) == ImageAction::Pull);
  CHECK_THROWS_WITH(image_action(svc("", "", true), "shop-web", false, opts("policy", false, true)),
                    "service \"web\": No such image: shop-web (--no-build: not building it)");
}
