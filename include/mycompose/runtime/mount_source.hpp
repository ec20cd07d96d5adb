#pragma once
// A bind mount's source on the host, opened once as a descriptor; what gets mounted is that
// descriptor, never the name again (so nothing can swap the source between a check and the
// mount). A source may carry the trusted folder it must stay in: in config.json the mount
// object's "org.mycompose.sourceRoot" (runc and crun ignore it, as the OCI spec says of
// unknown properties). That folder is opened as written (the engine made it, or the user
// wrote it); the rest of the path, below it, is resolved without following any symlink. A
// container that can write inside the folder (a shared volume, a host folder it binds)
// therefore cannot send a mount elsewhere by swapping a name for a link, on any start.
#include <string>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

inline constexpr const char* kMountSourceRootKey = "org.mycompose.sourceRoot";

// An O_PATH descriptor of `source`. With `root` empty, links are followed as runc does (the
// spec's author is trusted with host paths). Otherwise `source` must lie lexically in `root`
// (both absolute) and no component below root may be a symlink. Throws Error naming the
// source and, for a link, the component that is one ("... is a symbolic link").
UniqueFd open_mount_source(const std::string& source, const std::string& root);

// `source` relative to `root` ("" when equal); throws Error when it is not inside it.
std::string source_below_root(const std::string& source, const std::string& root);

}  // namespace mycompose::runtime
