#include "mycompose/compose/config_hash.hpp"

#include "mycompose/common/sha256.hpp"

namespace mycompose::compose {

std::string service_config_hash(const nlohmann::ordered_json& service) {
  nlohmann::ordered_json s = service;
  for (const char* k : {"build", "pull_policy", "scale", "depends_on", "profiles"}) s.erase(k);
  if (s.contains("deploy") && s["deploy"].is_object()) {
    s["deploy"].erase("replicas");
    if (s["deploy"].empty()) s.erase("deploy");
  }
  // The model's key order is canonical (schema order, maps sorted), so dump() is too.
  return sha256_hex(s.dump());
}

}  // namespace mycompose::compose
