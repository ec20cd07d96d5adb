#pragma once
// Capability sets and resource limits of the container process (OCI `process.capabilities`,
// `process.rlimits`), with libcap.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mycompose::runtime {

// Applies the OCI capabilities object {bounding, effective, permitted, inheritable, ambient}
// (arrays of names like "CAP_CHOWN"; a missing set is empty). Needs CAP_SETPCAP in the
// permitted set; call it after the uid/gid switch (with PR_SET_KEEPCAPS set before the
// switch) and before seccomp. Capabilities newer than the running kernel are skipped, as runc
// does. Throws Error naming an unknown capability.
void apply_capabilities(const nlohmann::json& process_capabilities);

// Applies the OCI rlimits array [{type: "RLIMIT_NOFILE", soft, hard}]; throws Error on an
// unknown type and SystemError naming the limit when setrlimit fails.
void apply_rlimits(const nlohmann::json& process_rlimits);

// "CAP_CHOWN" → 0 etc. (also accepts "chown"/"cap_chown" in any case). Throws Error naming an
// unknown capability.
std::vector<int> capability_numbers(const std::vector<std::string>& names);

// Canonical upper-case name ("CAP_CHOWN") of a capability number, or "" when libcap does not
// know it.
std::string capability_name(int number);

// Every capability name libcap knows and the running kernel supports ("CAP_CHOWN" …).
std::vector<std::string> all_capability_names();

// Those of them in this process's bounding set: what `privileged` and `cap_add: [ALL]` can
// give (a capability the host withholds from us cannot be granted; asking for it made every
// such container fail with "cap_set_proc: Operation not permitted").
std::vector<std::string> bounding_capability_names();

// "RLIMIT_NOFILE" → RLIMIT_NOFILE; throws Error naming an unknown limit.
int rlimit_number(const std::string& name);

}  // namespace mycompose::runtime
