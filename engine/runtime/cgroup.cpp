// Cgroup front end: mode detection and the choice between the v1 and v2 writers.
#include "mycompose/runtime/cgroup.hpp"

#include <filesystem>

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

std::unique_ptr<Cgroup> Cgroup::create(const std::string& cgroups_path, const nlohmann::json&, const std::string&) {
  throw Error("cgroup " + cgroups_path + ": not implemented yet");
}

std::unique_ptr<Cgroup> Cgroup::open(const std::string& cgroups_path, const std::string&) {
  throw Error("cgroup " + cgroups_path + ": not implemented yet");
}

}  // namespace mycompose::runtime
