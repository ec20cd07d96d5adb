#include "default_device_rules.hpp"

namespace mycompose::runtime {

nlohmann::json with_default_device_rules(nlohmann::json resources) {
  if (!resources.is_object() || !resources.contains("devices")) return resources;  // no device cgroup rules at all
  struct Dev {
    long major, minor;  // minor -1 = every minor
  };
  static constexpr Dev kDefaults[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, -1}};
  auto& rules = resources["devices"];
  for (const auto& d : kDefaults) {
    nlohmann::json rule = {{"allow", true}, {"type", "c"}, {"major", d.major}, {"access", "rwm"}};
    if (d.minor >= 0) rule["minor"] = d.minor;
    rules.push_back(std::move(rule));
  }
  return resources;
}

}  // namespace mycompose::runtime
