#pragma once
#include <nlohmann/json.hpp>

namespace mycompose::runtime {

// The device cgroup rules a container gets, as runc builds them (specconv AllowedDevices):
// everything denied, then linux.resources.devices in order, then mknod of any char or block
// device ("c *:* m", "b *:* m": linux.devices are made with mknod inside the container) and
// read/write/mknod of the default devices (/dev/null, zero, full, random, urandom, tty, ptmx,
// pts) — less those whose path linux.devices lists (the bundle's own entry decides). The
// kernel applies the rules one after the other, so later rules win over earlier ones.
// Returns linux.resources with "devices" replaced by that list; throws Error naming the rule
// at fault.
nlohmann::json with_default_device_rules(nlohmann::json linux_resources, const nlohmann::json& linux_devices);

}  // namespace mycompose::runtime
