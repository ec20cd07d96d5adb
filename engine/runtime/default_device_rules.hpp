#pragma once
#include <nlohmann/json.hpp>

namespace mycompose::runtime {

// linux.resources with device-cgroup "allow rwm" rules appended for the devices every
// container gets (/dev/null, zero, full, random, urandom, tty, ptmx and pts), as runc does
// for its AllowedDevices: a bundle that denies all devices ("runc spec" writes exactly that)
// must still be able to create and use them. Rules are last-match-wins, so these go last.
nlohmann::json with_default_device_rules(nlohmann::json linux_resources);

}  // namespace mycompose::runtime
