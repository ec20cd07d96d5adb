#include "local_cache.hpp"

#include <fcntl.h>

#include <nlohmann/json.hpp>
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/image/transfer.hpp"

namespace mycompose::build {
namespace stdfs = std::filesystem;

namespace {

constexpr std::size_t kMaxIndexBytes = 16 << 20;
constexpr std::size_t kMaxRecords = 100000;

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}
bool is_digest(const std::string& s) { return s.size() == 71 && s.rfind("sha256:", 0) == 0 && is_hex64(s.substr(7)); }

}  // namespace

void import_local_cache(image::ImageStore& store, const BuildCache& cache, const stdfs::path& dir) {
  const auto tar = dir / "image.tar", index = dir / "cache.json";
  std::error_code ec;
  if (!stdfs::exists(tar, ec)) return;
  const std::string what = "build cache " + dir.string();
  image::load_archive(store, tar.string());  // verifies every digest
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(fs::read_untrusted(AT_FDCWD, index, what + "/cache.json", kMaxIndexBytes, {.in_root = false}));
  } catch (const nlohmann::json::exception& e) {
    throw Error(what + "/cache.json: " + e.what());
  }
  if (!j.is_object() || j.value("version", 0) != 1 || !j.contains("records") || !j["records"].is_array())
    throw Error(what + "/cache.json: not a cache index of version 1");
  if (j["records"].size() > kMaxRecords) throw Error(what + "/cache.json: more than 100000 records");
  for (const auto& r : j["records"]) {
    const std::string key = r.value("key", ""), chain = r.value("chain_id", "");
    if (!is_hex64(key) || (!chain.empty() && !is_digest(chain))) throw Error(what + "/cache.json: a malformed record");
    CacheRecord rec;
    rec.created = r.value("created", "");
    if (!chain.empty()) {
      auto info = store.layer_info(chain);
      if (!info) continue;  // a layer the image does not hold (another stage's): a miss
      rec.layer = *info;
    }
    cache.put(key, rec);
  }
}

void export_local_cache(const image::ImageStore& store, const BuildCache& cache, const std::string& image_id,
                        const stdfs::path& dir) {
  std::set<std::string> in_image;
  for (const auto& l : store.image_layers(image_id)) in_image.insert(l.chain_id);
  nlohmann::json records = nlohmann::json::array();
  std::set<std::string> seen;
  for (const auto& [key, rec] : cache.used()) {
    if (!seen.insert(key).second || (!rec.layer.chain_id.empty() && !in_image.count(rec.layer.chain_id))) continue;
    records.push_back({{"key", key}, {"chain_id", rec.layer.chain_id}, {"created", rec.created}});
  }
  fs::make_dirs(dir, 0755);
  const auto tmp = dir / ".image.tar.tmp";
  image::save_images(store, {image_id}, tmp.string());
  stdfs::rename(tmp, dir / "image.tar");
  fs::write_file_atomic(dir / "cache.json", nlohmann::json{{"version", 1}, {"records", records}}.dump());
}

}  // namespace mycompose::build
