#pragma once
// Cache records: build-cache/records/<key>.json → the layer a step made and when. The key
// (computed by the builder) is the sha256 of: the parent layer's chain id, the instruction
// after substitution, the build args in scope, the config that affects the step (Env, User,
// WorkingDir, Shell) and for COPY/ADD the checksum of the sources.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mycompose/image/store.hpp"

namespace mycompose::build {

struct CacheRecord {
  image::LayerInfo layer;  // chain_id "" = the step changed nothing (WORKDIR of an existing folder)
  std::string created;  // RFC 3339 time the step first ran (kept so a rebuild is identical)
};

class BuildCache {
 public:
  explicit BuildCache(std::filesystem::path dir);
  // nullopt when there is no record or its layer is gone from the store.
  std::optional<CacheRecord> lookup(const std::string& key, const image::ImageStore& store) const;
  void put(const std::string& key, const CacheRecord& record) const;
  // Every record this object found or wrote, in order: what build.cache_to exports.
  const std::vector<std::pair<std::string, CacheRecord>>& used() const { return used_; }

 private:
  std::filesystem::path dir_;
  mutable std::vector<std::pair<std::string, CacheRecord>> used_;
};

}  // namespace mycompose::build
