#pragma once
// Images before containers: what `up`, `create` and `run` do before the engine creates
// anything, as docker compose does: pull the missing (or, by policy, all) images of services
// that are not built, then build the services whose image is missing (or all of them with
// --build). Both run in this process: the builder forks per RUN step, which is safe in the
// single-threaded CLI and not in the engine's threads.
#include <optional>
#include <string>
#include <vector>

#include "commands/service_images.hpp"
#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

struct ImageOptions {
  std::vector<std::string> services;  // as named on the command line; empty = all
  bool include_deps = true;           // false with --no-deps
  bool build = false;                 // --build
  bool no_build = false;              // --no-build
  std::string pull = "policy";        // --pull: policy|always|missing|never|build
  bool quiet_pull = false;            // --quiet-pull
  bool quiet_build = false;           // watch --quiet: builds print nothing
};

enum class ImageAction {
  None,          // the image is there and nothing asks for a new one
  Pull,          // pull; a failure is the command's error
  PullOrBuild,   // pull (a failure is a warning), then build if the image is still missing
  Build,
};

// The decision for one service; `present`: its image is in the store. Throws Error naming the
// service when the image is missing and may be neither pulled nor built (pull_policy never,
// --no-build).
ImageAction image_action(const ServiceImage& s, const std::string& image, bool present, const ImageOptions& o);

// Pulls and builds what image_action() asks for, rendering pulls as progress lines
// (" ✔ web  Pulled") and builds as `mycompose build` does.
void ensure_images(const compose::Project& project, const ImageOptions& o);

}  // namespace mycompose::cli
