#pragma once
// build.cache_from / cache_to of type local (a folder), as BuildKit's mode=min: the built
// image as a `docker save` tarball (image.tar) and the step records whose layers it holds
// (cache.json: step key → layer). Importing loads the image's layers into the store and
// puts those records into the build cache, so another root (another machine, a CI run)
// skips the steps. The folder is someone else's input: bounded and checked.
#include <filesystem>
#include <string>

#include "build_cache.hpp"
#include "mycompose/image/store.hpp"

namespace mycompose::build {

// A folder without image.tar is no cache yet (the first build): nothing happens.
void import_local_cache(image::ImageStore& store, const BuildCache& cache, const std::filesystem::path& dir);

// Replaces the folder's image.tar and cache.json (each written whole, then renamed).
void export_local_cache(const image::ImageStore& store, const BuildCache& cache, const std::string& image_id,
                        const std::filesystem::path& dir);

}  // namespace mycompose::build
