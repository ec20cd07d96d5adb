#pragma once
// `type: image` volumes: another image's filesystem (or a folder of it, image.subpath) mounted
// read-only in the container, as Docker 28 does. The folders are the image's unpacked layers
// in the store, which nothing writes to once unpacked.
#include <string>
#include <vector>

#include "mycompose/image/store.hpp"

namespace mycompose::scheduler {

// The layer folders (with the subpath appended) that make up the mount, highest layer first:
// a layer where the subpath is whited out, shadowed by a file or below an opaque folder
// hides the layers under it. Every component of the subpath is checked to be a real folder
// (no symlink: the mount source is opened on the host). Throws Error naming the service for
// an image not in the store, a subpath that climbs out or is not a folder in the image.
std::vector<std::string> image_volume_dirs(const image::ImageStore& images, const std::string& service, const std::string& ref,
                                           const std::string& subpath);

}  // namespace mycompose::scheduler
