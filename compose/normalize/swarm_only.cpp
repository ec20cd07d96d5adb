// Attributes the schema accepts that only Swarm honours: docker compose warns about each when
// it loads a model (docker/compose#13150), and so do we, where mycompose ignores them too.
// (uid, gid and mode of a service's secrets and configs are honoured here: no warning.)
#include "stages.hpp"

namespace mycompose::compose::schema {

namespace {

constexpr const char* kIgnored = " applies to Swarm mode only: ignored";

}  // namespace

void warn_swarm_only(const json& model, std::vector<std::string>& warnings) {
  const json services = model.value("services", json::object());
  for (const auto& [name, s] : services.items()) {
    const std::string who = "service \"" + name + "\": ";
    if (s.contains("deploy") && s["deploy"].is_object())
      for (const char* key : {"mode", "labels", "update_config", "rollback_config", "placement", "endpoint_mode"})
        if (s["deploy"].contains(key)) warnings.push_back(who + "deploy." + key + kIgnored);
    if (s.contains("credential_spec")) warnings.push_back(who + "credential_spec" + kIgnored);
    for (const auto& p : s.value("ports", json::array()))
      if (p.is_object() && p.value("mode", "ingress") != "ingress")
        warnings.push_back(who + "ports[" + std::to_string(p.value("target", 0)) + "/" + p.value("protocol", "tcp") + "].mode" + kIgnored);
    for (const auto& v : s.value("volumes", json::array()))
      if (v.is_object() && v.value("type", "") == "cluster")
        warnings.push_back(who + "volumes[" + v.value("source", "") + "].type" + kIgnored);
  }
  const json configs = model.value("configs", json::object()), secrets = model.value("secrets", json::object());
  for (const auto& [name, c] : configs.items())
    if (c.is_object() && c.contains("labels")) warnings.push_back("configs." + name + ".labels" + kIgnored);
  for (const auto& [name, sec] : secrets.items())
    for (const char* key : {"driver_opts", "labels"})
      if (sec.is_object() && sec.contains(key)) warnings.push_back("secrets." + name + "." + key + kIgnored);
}

}  // namespace mycompose::compose::schema
