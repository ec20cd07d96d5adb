#pragma once
// The `com.docker.compose.config-hash` label (shared/DESIGN.md): sha256 over a service's
// canonical JSON, so the same definition always gives the same hash and any change that
// affects the container gives a different one. Like docker compose, it leaves out what
// does not change the container itself: build, pull_policy, scale and deploy.replicas,
// depends_on and profiles.
#include <string>

#include <nlohmann/json.hpp>

namespace mycompose::compose {

std::string service_config_hash(const nlohmann::ordered_json& service);

}  // namespace mycompose::compose
