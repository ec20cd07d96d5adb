// Cgroup front end: mode detection and the choice between the v1 and v2 writers.
#include "mycompose/runtime/cgroup.hpp"

#include <unistd.h>

#include <filesystem>

#include "cgroup_files.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::runtime {

// Detected from the interface files rather than statfs, so a fake cgroupfs folder in unit
// tests is recognised the same way as the real one.
CgroupMode detect_cgroup_mode(const std::string& root) {
  namespace stdfs = std::filesystem;
  std::error_code ec;
  if (stdfs::exists(stdfs::path(root) / "cgroup.controllers", ec)) return CgroupMode::V2;
  if (stdfs::exists(stdfs::path(root) / "unified" / "cgroup.controllers", ec)) return CgroupMode::Hybrid;
  return CgroupMode::V1;
}

// Hybrid hosts get the v1 writer: their unified mount has no controllers to write to.
std::unique_ptr<Cgroup> Cgroup::create(const std::string& cgroups_path, const nlohmann::json& linux_resources,
                                       const std::string& root) {
  const auto rel = cgroupfs::normalize(cgroups_path);
  auto cg = detect_cgroup_mode(root) == CgroupMode::V2 ? cgroupfs::make_v2(root, rel, true)
                                                       : cgroupfs::make_v1(root, rel, true);
  // A cgroup half-configured is removed again, so a failed create leaves nothing behind.
  try {
    cg->update(linux_resources);
  } catch (...) {
    try {
      cg->destroy();
    } catch (...) {
    }
    throw;
  }
  return cg;
}

std::unique_ptr<Cgroup> Cgroup::open(const std::string& cgroups_path, const std::string& root) {
  const auto rel = cgroupfs::normalize(cgroups_path);
  return detect_cgroup_mode(root) == CgroupMode::V2 ? cgroupfs::make_v2(root, rel, false)
                                                    : cgroupfs::make_v1(root, rel, false);
}

bool join_self(const std::vector<UniqueFd>& files) {
  for (const auto& f : files)
    if (::write(f.get(), "0", 1) != 1) return false;
  return true;
}

}  // namespace mycompose::runtime
