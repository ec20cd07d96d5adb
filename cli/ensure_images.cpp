#include "ensure_images.hpp"

#include <functional>
#include <iostream>
#include <map>
#include <set>

#include "commands/build_services.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/image/registry.hpp"
#include "progress/renderers.hpp"

namespace mycompose::cli {

namespace {

// pull_policy as docker compose reads it: daily, weekly, every_<duration> and refresh mean
// "pull when it is stale", and without a pull date on record a present image is not stale.
std::string effective_policy(const ServiceImage& s, const ImageOptions& o) {
  std::string p = o.pull.empty() || o.pull == "policy" ? s.pull_policy : o.pull;
  if (p == "always" || p == "never" || p == "build") return p;
  return "missing";
}

}  // namespace

ImageAction image_action(const ServiceImage& s, const std::string& image, bool present, const ImageOptions& o) {
  const std::string policy = effective_policy(s, o);
  const bool named = !s.image.empty();  // image: written in the file, so there is something to pull
  if (s.buildable) {
    if (o.no_build) {
      if (named && (policy == "always" || (!present && policy == "missing"))) return ImageAction::Pull;
      if (present) return ImageAction::None;
      throw Error("service \"" + s.service + "\": No such image: " + image + " (--no-build: not building it)");
    }
    if (o.build || policy == "build") return ImageAction::Build;
    if (named && policy == "always") return ImageAction::PullOrBuild;
    if (present) return ImageAction::None;
    return named && policy == "missing" ? ImageAction::PullOrBuild : ImageAction::Build;
  }
  if (policy == "never") {
    if (present) return ImageAction::None;
    throw Error("service \"" + s.service + "\": No such image: " + image + " (pull_policy: never)");
  }
  if (policy == "always") return ImageAction::Pull;
  return present ? ImageAction::None : ImageAction::Pull;
}

namespace {

// The services to build, dependencies first (a Dockerfile may start FROM a dependency's
// image); otherwise in the model's order.
std::vector<ServiceImage> in_dependency_order(const compose::Project& project, std::vector<ServiceImage> services) {
  const nlohmann::ordered_json defs = project.model.value("services", nlohmann::ordered_json::object());
  std::vector<ServiceImage> out;
  std::set<std::string> placed, visiting;
  std::function<void(const ServiceImage&)> place = [&](const ServiceImage& s) {
    if (placed.count(s.service) || !visiting.insert(s.service).second) return;  // a cycle: the loader refused it already
    const auto def = defs.value(s.service, nlohmann::ordered_json::object());
    if (def.contains("depends_on") && def["depends_on"].is_object())
      for (const auto& [dep, cond] : def["depends_on"].items())
        for (const auto& other : services)
          if (other.service == dep) place(other);
    placed.insert(s.service);
    out.push_back(s);
  };
  for (const auto& s : services) place(s);
  return out;
}

}  // namespace

void ensure_images(const compose::Project& project, const ImageOptions& o) {
  image::ImageStore store(image::ImageStore::default_root());
  const auto selected = service_images(project, o.services, o.include_deps);
  // As docker compose: an image another selected service builds is not pulled; that build
  // makes it (services are built before anything is created).
  std::set<std::string> built_here;
  if (!o.no_build)
    for (const auto& s : selected)
      if (s.buildable) built_here.insert(effective_image(project, s));
  std::vector<std::pair<ServiceImage, ImageAction>> todo;
  for (const auto& s : selected) {
    const std::string image = effective_image(project, s);
    if (!s.buildable && built_here.count(image)) continue;
    const ImageAction a = image_action(s, image, store.resolve(image).has_value(), o);
    if (a != ImageAction::None) todo.emplace_back(s, a);
  }

  // Pulls first, one image once (several services may run it).
  std::vector<ServiceImage> to_build;
  std::unique_ptr<progress::Renderer> renderer;
  std::map<std::string, bool> pulled;  // reference → succeeded
  std::string first_error;
  for (const auto& [s, a] : todo) {
    if (a == ImageAction::Build) {
      to_build.push_back(s);
      continue;
    }
    if (!renderer)
      renderer = o.quiet_pull ? std::unique_ptr<progress::Renderer>(std::make_unique<progress::QuietRenderer>())
                              : progress::make_renderer("Pulling");
    image::Reference ref;
    try {
      ref = image::Reference::parse(s.image);
    } catch (const Error& e) {
      throw Error("service \"" + s.service + "\": " + e.what());
    }
    auto done = pulled.find(ref.str());
    if (done == pulled.end()) {
      renderer->event({s.service, "Pulling", progress::State::Working, ""});
      try {
        image::registry::pull(store, ref);
        done = pulled.emplace(ref.str(), true).first;
      } catch (const Error& e) {
        done = pulled.emplace(ref.str(), false).first;
        if (a == ImageAction::PullOrBuild) {
          // The service can be built: a failed pull is not the end of it.
          renderer->event({s.service, "Warning", progress::State::Warning, e.what()});
          if (!store.resolve(ref.str())) to_build.push_back(s);
          continue;
        }
        renderer->event({s.service, "Error", progress::State::Error, e.what()});
        if (first_error.empty()) first_error = "service \"" + s.service + "\": " + e.what();
        continue;
      }
    }
    if (done->second) renderer->event({s.service, "Pulled", progress::State::Done, ""});
    else if (a == ImageAction::PullOrBuild && !store.resolve(ref.str())) to_build.push_back(s);
    else if (first_error.empty()) first_error = "service \"" + s.service + "\": could not pull " + ref.str();
  }
  if (renderer) renderer->finish();
  renderer.reset();  // its ticking thread is gone before the builder forks
  if (!first_error.empty()) throw Error(first_error);
  if (to_build.empty()) return;
  flags::BuildOptions build_options;
  build_services(project, in_dependency_order(project, to_build), build_options, store,
                 o.quiet_build || progress::settings().progress == "quiet");
}

}  // namespace mycompose::cli
