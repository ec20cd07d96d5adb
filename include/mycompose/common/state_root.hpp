#pragma once
// The state root (MYCOMPOSE_ROOT) is the host's most sensitive folder after /: it holds every
// container's files and every named volume, which containers write as root. A local user who
// could reach it could run a setuid-root file a container put in a volume (Docker's
// CVE-2021-41091; Docker keeps its data root 0710). So the root is 0710, owned by us, and
// every folder directly in it 0700, whichever command makes it first.
#include <filesystem>

namespace mycompose::state_root {

inline constexpr unsigned kRootMode = 0710;  // the group (root's) may reach named entries: the sockets
inline constexpr unsigned kFolderMode = 0700;

// Makes the root (and missing parents, 0755) if it is not there; takes group and other
// access beyond 0710 away if it is. Throws Error when it is not a folder or belongs to
// another user. Cheap when all is well (one open and one fstat): every command calls it.
void ensure(const std::filesystem::path& root);

// At engine start: ensure(), and every folder directly in the root made 0700 (the modes an
// older version, or a hand, left are repaired). Never follows a symlink in the root.
void repair(const std::filesystem::path& root);

}  // namespace mycompose::state_root
