#pragma once
// `commit`: a container's changes (its overlay upper layer) as a new image on top of the
// image it runs, with the container's configuration (command, environment, working folder,
// labels) and `--change` instructions, as `docker commit` makes it.
#include <filesystem>
#include <string>
#include <vector>

#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {

struct CommitOptions {
  std::string author;                // -a
  std::string message;               // -m: the image's comment
  std::vector<std::string> changes;  // -c: Dockerfile instructions for the config
  bool pause = true;                 // -p: frozen while its upper layer is read
  std::string reference;             // REPOSITORY[:TAG]; "" = an untagged image
};

// Returns the new image id ("sha256:…"). The upper layer is read through file descriptors
// only (copy_entries' walk), never following a link the container made; the layer is then
// unpacked by the image store's checked extraction. Nothing is stored on failure.
std::string commit_container(const std::filesystem::path& root, const ContainerRecord& container, const CommitOptions& options);

}  // namespace mycompose::scheduler
