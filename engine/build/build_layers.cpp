// The layer cache of a build: a step's key (parent layer, instruction, ARGs, config, its
// sources' checksum), a hit that reuses the recorded layer, a miss that commits a new one.
#include "build_job.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/time_text.hpp"

namespace mycompose::build::job {
using nlohmann::json;

std::string Build::cache_key(const StageState& s, const std::string& text, const std::string& extra) const {
  json k;
  k["parent"] = s.top_chain();
  k["instruction"] = text;
  json args = json::object();
  for (const auto& [name, v] : s.args)
    if (!kProxyArgs.count(name)) args[name] = v;
  k["args"] = args;
  for (const char* f : {"Env", "User", "WorkingDir", "Shell"})
    if (s.config.contains(f)) k[f] = s.config[f];
  k["extra"] = extra;
  return sha256_hex(k.dump());
}

bool Build::try_cache(StageState& s, const std::string& key, const std::string& created_by, int step) {
  if (req_.no_cache || no_cache_stage_ || s.cache_missed) return false;
  auto rec = cache_.lookup(key, store_);
  if (!rec) {
    s.cache_missed = true;
    return false;
  }
  s.layers.push_back(rec->layer);
  s.last_created = rec->created;
  s.history.push_back({{"created", rec->created}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}});
  emit(BuildEvent::Kind::Cached, step, "CACHED");
  return true;
}

void Build::commit_layer(StageState& s, const std::string& key, StepDirs& dirs, const std::string& created_by) {
  std::error_code ec;
  stdfs::remove_all(dirs.work, ec);  // overlay's work folder (root-only, 000 subfolder)
  auto layer = store_.add_layer_from_dir(s.top_chain(), dirs.upper, created_by);
  CacheRecord rec{layer, now_rfc3339()};
  cache_.put(key, rec);
  s.cache_missed = true;
  s.layers.push_back(layer);
  s.last_created = rec.created;
  s.history.push_back({{"created", rec.created}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}});
}

}  // namespace mycompose::build::job
