#pragma once
// SSH agents for RUN --mount=type=ssh. The step never sees the host's agent socket itself:
// it gets a socket of its own, with the mode and owner the mount asks for, and each
// connection to it is relayed to the agent (as BuildKit relays it over its session).
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace mycompose::build {

// A process that listens on `path` (mode, uid, gid applied) and relays each connection to
// the agent socket `upstream`. It dies with its parent. Returns its pid.
pid_t start_agent_forward(const std::filesystem::path& path, const std::string& upstream, unsigned mode, unsigned uid,
                          unsigned gid);

// OpenSSH's ssh-agent serving the private key files `keys` on `path` (what build.ssh
// id=<key file> asks for); returns its pid. Throws Error naming the key that could not be
// added, or saying ssh-agent is missing.
pid_t start_key_agent(const std::filesystem::path& path, const std::vector<std::string>& keys);

}  // namespace mycompose::build
