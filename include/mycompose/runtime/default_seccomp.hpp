#pragma once
// The default seccomp profile of our containers: an allow-list equivalent to Docker's default
// profile (same syscalls allowed for the same capabilities), kept as our own table in
// engine/runtime/default_seccomp.cpp.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mycompose::runtime {

// The OCI linux.seccomp section for a container whose bounding set is `capabilities`
// ("CAP_SYS_ADMIN" …): syscalls that need a capability are allowed only when it is held, as
// Docker does. Default action: ERRNO(EPERM). Architectures: this build's native family
// (x86_64 + x86 + x32, or aarch64 + arm).
nlohmann::json default_seccomp_profile(const std::vector<std::string>& capabilities);

}  // namespace mycompose::runtime
