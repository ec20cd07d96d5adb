#pragma once
// Overlay mounts for container root filesystems, with short lower-layer names so that 128
// layers fit in the single page of mount options (the trick of moby's overlay2 `l/` links).
#include <string>
#include <vector>

namespace mycompose::runtime {

struct OverlayLayers {
  std::vector<std::string> lower;  // layer folders, bottom (base image) first
  std::string upper;               // "" = read-only overlay (needs at least two lower layers)
  std::string work;                // same filesystem as upper; required with upper
  std::string links_dir;           // folder for the short symlinks, e.g. <root>/l (created)
};

// The short name of a layer folder: links_dir/<name> is (or becomes) a symlink to it. Names
// are derived from the folder path, so the same layer always gets the same link; a link
// pointing somewhere else is an Error.
std::string layer_link(const std::string& links_dir, const std::string& layer_dir);

// Mounts the overlay on target (an existing folder). The mount runs in a helper thread with a
// private cwd (unshare CLONE_FS) inside links_dir's parent, so lowerdir is "l/X:l/Y…" and no
// other thread's cwd moves. Throws SystemError naming the target and the options length.
void mount_overlay(const std::string& target, const OverlayLayers& layers);

// Unmounts target (lazily if busy). Not mounted = nothing to do.
void unmount_overlay(const std::string& target);

// Removes links in links_dir whose layer folder no longer exists (after layer deletion).
void prune_layer_links(const std::string& links_dir);

}  // namespace mycompose::runtime
