#pragma once
// Mounting through descriptors (the new mount API: open_tree, fsopen/fsmount, mount_setattr,
// move_mount). A mount is made detached, given its flags and propagation while nobody else
// can see it, then attached onto a destination descriptor. No path is looked up between the
// steps, so nothing can swap what is mounted or where, and a read-only flag always lands on
// the mount just made (the CVE-2021-30465 family: a remount that looked the path up again).
#include <string>

#include "mount_options.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

// A detached copy of the mount tree at source_fd (any fd, O_PATH included); with `recursive`
// the mounts below it come along (rbind).
UniqueFd clone_tree(int source_fd, bool recursive, const std::string& what);

// Sets the per-mount flags of o.flags (ro, nosuid, nodev, noexec, atime) on the tree, on
// every mount in it when `recursive`, then o.propagation (recursive when it says r...).
// Flags are only ever added: what the source had locked stays.
void set_mount_flags(int tree_fd, const MountOptions& o, bool recursive, const std::string& what);

// A new filesystem of `type` ("tmpfs", "proc"…), detached, with the options in o.data and
// o.flags. An invalid fd with errno set when the kernel refuses it; `error` then says why.
UniqueFd new_filesystem(const std::string& type, const std::string& source, const MountOptions& o, std::string& error);

// Attaches a detached tree onto dest_fd (an O_PATH fd of the folder or file it covers).
void attach_tree(int tree_fd, int dest_fd, const std::string& what);

}  // namespace mycompose::runtime
