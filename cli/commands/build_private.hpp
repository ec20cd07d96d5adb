#pragma once
// The BuildKit side of a service's build section: what must not land in its image
// (build.secrets from the project's top-level secrets and --secret, build.ssh and --ssh),
// what the one who builds grants (entitlements, privileged), ulimits, platforms,
// no_cache_filter, and additional_contexts naming another service (service:NAME).
#include <nlohmann/json.hpp>

#include "commands/flags/build.hpp"
#include "commands/service_images.hpp"
#include "mycompose/build/builder.hpp"
#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

// b: the service's build section. Throws Error naming the service and the key or entry.
void add_buildkit_options(const compose::Project& project, const std::string& service, const nlohmann::ordered_json& b,
                          const flags::BuildOptions& o, build::BuildRequest& r);

// services with every service an additional context names (service:NAME) built before it,
// added when missing. Throws Error on a cycle or a named service that does not build.
std::vector<ServiceImage> order_by_build_contexts(const compose::Project& project, const std::vector<ServiceImage>& services);

}  // namespace mycompose::cli
