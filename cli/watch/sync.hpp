#pragma once
// The sync of `watch` (docker compose's internal/sync/tar.go): changed host paths that still
// exist go into each running container of the service as one tar stream through the
// engine's copy route (scheduler::copy_tar_to_container: every path resolved inside the
// container's root, owners kept as upstream's CopyUIDGID); paths gone from the host are
// removed in the container with `rm -rf`, run there as upstream does.
#include <filesystem>
#include <string>
#include <vector>

namespace mycompose::cli::watch {

struct PathMapping {
  std::string host;       // absolute host path
  std::string container;  // absolute path in the container
  std::string target;     // the rule's target: the folder the copy lands in when it exists
};

// Throws Error naming the container when a copy or a removal fails.
void sync_service(const std::filesystem::path& root, const std::string& project, const std::string& service,
                  std::vector<PathMapping> mappings);

}  // namespace mycompose::cli::watch
