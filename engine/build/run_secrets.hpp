#pragma once
// RUN --mount=type=secret and type=ssh: what the one who runs the build handed it
// (build.secrets / --secret, build.ssh / --ssh), visible to one step only. The mount options
// (ids, targets, modes) are part of the cache key; the values never are, nor are they in a
// layer or the history: they live on a tmpfs mounted in the step's own child (its private
// mount namespace), which vanishes with it.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "mycompose/build/builder.hpp"
#include "run_step.hpp"

namespace mycompose::build {

using MountOptions = std::map<std::string, std::string>;  // "type=secret,id=tok" parsed

// The largest secret a step may be given (BuildKit's bound too).
inline constexpr std::size_t kMaxSecretBytes = 500 * 1024;

// type=secret: id (default: the target's base name), target (default /run/secrets/<id>;
// none when only env= is given), env, required, mode (0400), uid, gid. Its value comes
// from req.secrets. nullopt: missing and not required, the step runs without it. A value
// asked for with env= is added to `env` as NAME=value. Throws Error naming the id.
std::optional<RunMount> secret_mount(const MountOptions& o, const BuildRequest& req, std::vector<std::string>& env);

// type=ssh: id (default "default"), target (default /run/buildkit/ssh_agent.<index>),
// required, mode (0600), uid, gid. The first one also sets SSH_AUTH_SOCK in `env`.
std::optional<RunMount> ssh_mount(const MountOptions& o, const BuildRequest& req, int index, std::vector<std::string>& env);

// In the step's child, before the runtime starts: mounts a tmpfs at `dir`, writes each
// secret there and starts a forwarder for each ssh mount, and points those mounts'
// source at them. The destructor stops the forwarders (and agents) it started.
class StepPrivateFiles {
 public:
  StepPrivateFiles(const std::filesystem::path& dir, std::vector<RunMount>& mounts);
  ~StepPrivateFiles();
  StepPrivateFiles(const StepPrivateFiles&) = delete;
  StepPrivateFiles& operator=(const StepPrivateFiles&) = delete;

 private:
  std::vector<pid_t> children_;
};

}  // namespace mycompose::build
