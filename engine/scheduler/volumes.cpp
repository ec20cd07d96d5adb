#include "mycompose/scheduler/volumes.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/common/time_text.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kRecord = "volume.json";

bool is_anonymous_name(const std::string& name) {
  return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

VolumeInfo read_volume(const stdfs::path& dir) {
  VolumeInfo v;
  v.name = dir.filename().string();
  v.mountpoint = (dir / "_data").string();
  v.anonymous = is_anonymous_name(v.name);
  try {
    // A torn record is moved aside (system check lists it) and the volume shown without it.
    auto rec = fs::read_record(dir / kRecord, 1 << 20, [](const json& j) {
      return std::pair{j.value("labels", std::map<std::string, std::string>{}), j.value("created", "")};
    });
    if (rec) std::tie(v.labels, v.created) = *rec;
  } catch (const std::exception&) {
    // Unreadable: the folder's time stands in for the creation time.
  }
  if (v.created.empty()) {
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0) v.created = format_rfc3339(std::int64_t(st.st_mtime) * 1000000000);
  }
  if (v.anonymous) v.labels.emplace("com.docker.volume.anonymous", "");
  return v;
}

}  // namespace

nlohmann::ordered_json VolumeInfo::inspect_json() const {
  nlohmann::ordered_json j;
  j["CreatedAt"] = created;
  j["Driver"] = "local";
  j["Labels"] = labels.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(labels);
  j["Mountpoint"] = mountpoint;
  j["Name"] = name;
  j["Options"] = nullptr;
  j["Scope"] = "local";
  return j;
}

void record_volume(const stdfs::path& root, const std::string& name, const std::map<std::string, std::string>& labels) {
  bool ok = !name.empty() && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  if (!ok)
    throw Error("create " + name + ": \"" + name +
                "\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed");
  const stdfs::path dir = root / "volumes" / name;
  fs::make_dirs(root / "volumes", 0700);
  fs::make_dirs(dir / "_data", 0755);
  if (stdfs::exists(dir / kRecord)) return;
  fs::write_file_atomic(dir / kRecord, json{{"labels", labels}, {"created", now_rfc3339()}}.dump(), 0600);
}

std::string volume_config_hash(const nlohmann::ordered_json& definition) {
  json d = json::object();  // sorted keys: the CLI's model and the engine's copy hash alike
  if (definition.is_object())
    for (const char* key : {"driver", "driver_opts", "labels"})
      if (definition.contains(key)) d[key] = json::parse(definition[key].dump());
  if (!d.contains("driver") || d["driver"].is_null() || d["driver"] == "") d["driver"] = "local";
  return sha256_hex(d.dump());
}

std::vector<DivergedVolume> diverged_volumes(const stdfs::path& root, const std::string& project,
                                             const nlohmann::ordered_json& volumes) {
  std::vector<DivergedVolume> out;
  if (!volumes.is_object()) return out;
  for (const auto& [key, entry] : volumes.items()) {
    if (entry.is_object() && entry.value("external", false)) continue;
    const std::string name = entry.is_object() && entry.contains("name") ? entry["name"].get<std::string>() : project + "_" + key;
    const auto have = find_volume(root, name);
    if (!have) continue;
    const auto recorded = have->labels.find(kVolumeConfigHashLabel);
    if (recorded != have->labels.end() && recorded->second != volume_config_hash(entry)) out.push_back({key, name});
  }
  return out;
}

std::vector<VolumeInfo> list_volumes(const stdfs::path& root) {
  std::vector<VolumeInfo> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "volumes", ec))
    if (e.is_directory() && stdfs::is_directory(e.path() / "_data")) out.push_back(read_volume(e.path()));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::optional<VolumeInfo> find_volume(const stdfs::path& root, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') return std::nullopt;
  const stdfs::path dir = root / "volumes" / name;
  if (!stdfs::is_directory(dir / "_data")) return std::nullopt;
  return read_volume(dir);
}

std::map<std::string, std::vector<std::string>> volume_users(const stdfs::path& root) {
  // The OCI spec of each container says what it mounts; that is the truth for named,
  // anonymous and volumes_from volumes alike.
  std::map<std::string, std::vector<std::string>> out;
  std::error_code ec;
  const std::vector<std::string> prefixes{(root / "volumes").string() + "/",
                                          (stdfs::weakly_canonical(root, ec) / "volumes").string() + "/"};
  for (const auto& e : stdfs::directory_iterator(root / "containers", ec)) {
    try {
      const json spec = json::parse(fs::read_file(e.path() / "config.json"));
      std::string name = e.path().filename().string();
      try {
        name = json::parse(fs::read_file(e.path() / "container.json")).value("name", name);
      } catch (const std::exception&) {
      }
      for (const auto& m : spec.value("mounts", json::array())) {
        const std::string source = m.value("source", "");
        auto prefix = std::find_if(prefixes.begin(), prefixes.end(), [&](const auto& p) { return source.rfind(p, 0) == 0; });
        if (prefix == prefixes.end()) continue;
        const std::string volume = source.substr(prefix->size(), source.find('/', prefix->size()) - prefix->size());
        auto& users = out[volume];
        if (std::find(users.begin(), users.end(), name) == users.end()) users.push_back(name);
      }
    } catch (const std::exception&) {
      // A container folder without a readable spec mounts nothing we can name.
    }
  }
  return out;
}

std::int64_t disk_usage(const stdfs::path& dir) {
  std::int64_t total = 0;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, stdfs::directory_options::skip_permission_denied, ec);
       it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    struct stat st;
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
  }
  return total;
}

}  // namespace mycompose::scheduler
