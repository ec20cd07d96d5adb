#include "build_cache.hpp"

#include <nlohmann/json.hpp>

#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"

namespace mycompose::build {

BuildCache::BuildCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::optional<CacheRecord> BuildCache::lookup(const std::string& key, const image::ImageStore& store) const {
  // A torn or garbage record is moved aside: a cache miss.
  auto r = fs::read_record(dir_ / "records" / (key + ".json"), 1 << 20, [](const nlohmann::json& j) {
    CacheRecord r;
    r.layer.chain_id = j.at("chain_id").get<std::string>();
    r.layer.diff_id = j.at("diff_id").get<std::string>();
    r.layer.size = j.value("size", std::int64_t{0});
    r.created = j.value("created", "");
    return r;
  });
  // The layer may have been removed with the last image using it.
  if (!r || (!r->layer.chain_id.empty() && !store.has_layer(r->layer.chain_id))) return std::nullopt;
  used_.emplace_back(key, *r);
  return r;
}

void BuildCache::put(const std::string& key, const CacheRecord& r) const {
  fs::make_dirs(dir_ / "records", 0700);
  nlohmann::json j = {{"chain_id", r.layer.chain_id}, {"diff_id", r.layer.diff_id}, {"size", r.layer.size}, {"created", r.created}};
  fs::write_file_atomic(dir_ / "records" / (key + ".json"), j.dump());
  used_.emplace_back(key, r);
}

}  // namespace mycompose::build
