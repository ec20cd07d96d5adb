#pragma once
// OCI mount "options" → mount(2) flags, propagation and filesystem data.
#include <string>
#include <vector>

namespace mycompose::runtime {

struct MountOptions {
  unsigned long flags = 0;        // MS_* set on the mount (MS_RDONLY, MS_NOSUID…)
  unsigned long propagation = 0;  // MS_PRIVATE|MS_SHARED|MS_SLAVE|MS_UNBINDABLE (+MS_REC)
  bool bind = false;
  bool recursive = false;         // rbind
  std::string data;               // what the filesystem parses: "mode=755,size=65536k"
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

}  // namespace mycompose::runtime
