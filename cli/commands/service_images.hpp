#pragma once
// The services `pull`, `push` and `images` act on: named ones (or all), optionally with
// their depends_on closure, each with its image name, pull_policy and whether it builds.
#include <string>
#include <vector>

#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

struct ServiceImage {
  std::string service;
  std::string image;        // "" when the service has no image: key
  std::string pull_policy;  // as written, "" when absent
  bool buildable = false;   // has a build: section
};

// Services in model order; unknown names are an Error ("no such service: x").
std::vector<ServiceImage> service_images(const compose::Project& project, const std::vector<std::string>& names,
                                         bool include_deps);

// The image a service runs: image: if given, else the built name "<project>-<service>".
std::string effective_image(const compose::Project& project, const ServiceImage& s);

}  // namespace mycompose::cli
