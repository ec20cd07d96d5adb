#include "volume_sources.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/in_root.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kRecordFile = "volumes.json";

// The subpath's real location, refusing a path that leaves the volume or goes through a
// symlink: the runtime binds the source by name, so the name must already be the real one.
stdfs::path subpath_source(const std::string& what, const stdfs::path& volume, const std::string& subpath) {
  const stdfs::path rel = stdfs::path(subpath).lexically_normal();
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..")
    throw Error(what + ": subpath \"" + subpath + "\" must be a relative path inside the volume");
  UniqueFd root(::open(volume.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw SystemError("open " + volume.string(), errno);
  UniqueFd fd = runtime::open_in_root(root.get(), rel.string(), O_PATH | O_CLOEXEC);
  if (!fd) throw Error(what + ": cannot access path " + (volume / rel).string() + ": " + std::strerror(errno));
  char real[PATH_MAX];
  const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
  const ssize_t n = ::readlink(proc.c_str(), real, sizeof real - 1);
  if (n < 0) throw SystemError("readlink " + proc, errno);
  const stdfs::path expected = (volume / rel).lexically_normal();
  if (std::string(real, static_cast<std::size_t>(n)) != expected.string())
    throw Error(what + ": subpath \"" + subpath + "\" goes through a symlink");
  return expected;
}

}  // namespace

VolumeRecord VolumeRecord::read(const stdfs::path& container_dir) {
  VolumeRecord r;
  std::error_code ec;
  if (!stdfs::exists(container_dir / kRecordFile, ec)) return r;
  const auto j = nlohmann::json::parse(fs::read_file(container_dir / kRecordFile));
  r.anonymous = j.value("anonymous", std::map<std::string, std::string>{});
  for (const auto& m : j.value("mounts", nlohmann::json::array()))
    r.mounts.push_back({m.at("destination"), m.at("source"), m.value("type", "bind"), m.value("options", std::vector<std::string>{})});
  return r;
}

void VolumeRecord::write(const stdfs::path& container_dir) const {
  nlohmann::json mounts_json = nlohmann::json::array();
  for (const auto& m : mounts)
    mounts_json.push_back({{"destination", m.destination}, {"source", m.source}, {"type", m.type}, {"options", m.options}});
  fs::write_file_atomic(container_dir / kRecordFile, nlohmann::json{{"anonymous", anonymous}, {"mounts", mounts_json}}.dump(2), 0600);
}

void add_image_volumes(Json& service, const nlohmann::json& image) {
  const auto config = image.value("config", nlohmann::json::object());
  if (!config.is_object() || !config.contains("Volumes") || !config["Volumes"].is_object()) return;
  auto normal = [](const std::string& p) {
    std::string n = stdfs::path(p).lexically_normal().string();
    while (n.size() > 1 && n.back() == '/') n.pop_back();
    return n;
  };
  auto covered = [&](const std::string& target) {
    const std::string clean = normal(target);
    for (const char* key : {"volumes", "tmpfs"}) {
      if (!service.contains(key)) continue;
      for (const auto& v : service[key]) {
        const std::string t = v.is_string() ? v.get<std::string>().substr(0, v.get<std::string>().find(':')) : v.value("target", "");
        if (normal(t) == clean) return true;
      }
    }
    return false;
  };
  for (const auto& [target, unused] : config["Volumes"].items()) {
    if (target.empty() || target[0] != '/' || covered(target)) continue;
    if (!service.contains("volumes")) service["volumes"] = Json::array();
    service["volumes"].push_back(Json{{"type", "volume"}, {"target", target}});
  }
}

void prepare_bind_sources(const std::string& service_name, const Json& service) {
  if (!service.contains("volumes")) return;
  for (const auto& v : service["volumes"]) {
    if (v.value("type", "") != "bind") continue;
    const std::string source = v.value("source", "");
    std::error_code ec;
    if (stdfs::exists(stdfs::symlink_status(source, ec))) continue;
    const bool create = v.contains("bind") && v["bind"].value("create_host_path", false);
    if (!create)
      throw Error("service \"" + service_name + "\": invalid mount config for type \"bind\": bind source path does not exist: " + source);
    fs::make_dirs(source, 0755);
  }
}

std::map<std::string, std::string> volume_host_paths(const ContainerStore& store, const std::string& project,
                                                     const std::string& container_id, const std::string& service_name,
                                                     const Json& service, const std::map<std::string, std::string>& named,
                                                     const std::map<std::string, std::string>& keep,
                                                     std::map<std::string, std::string>& anonymous) {
  std::map<std::string, std::string> paths;
  if (!service.contains("volumes")) return paths;
  for (const auto& v : service["volumes"]) {
    if (v.value("type", "") != "volume") continue;
    const std::string source = v.value("source", ""), target = v.value("target", "");
    std::string key = source, name;
    if (source.empty()) {
      key = "anonymous:" + target;
      auto kept = keep.find(target);
      name = kept != keep.end() && store.has_volume(kept->second) ? kept->second : sha256_hex(container_id + '\0' + target);
      anonymous[target] = name;
    } else {
      auto it = named.find(source);
      name = it == named.end() ? project + "_" + source : it->second;
    }
    stdfs::path data = store.volume_path(name);
    const std::string subpath = v.contains("volume") ? v["volume"].value("subpath", "") : "";
    if (!subpath.empty()) {
      key += "/" + subpath;  // the settings mapper looks subpath mounts up under this key
      data = subpath_source("service \"" + service_name + "\": volume \"" + (source.empty() ? target : source) + "\"", data, subpath);
    }
    paths[key] = data.string();
  }
  return paths;
}

NewVolumesGuard::~NewVolumesGuard() {
  if (dismissed_) return;
  for (const auto& [target, name] : anonymous) {
    auto kept = keep_.find(target);
    if (kept != keep_.end() && kept->second == name) continue;
    try {
      store_.remove_volume(name);
    } catch (...) {
    }
  }
}

std::map<std::string, std::string> anonymous_volumes(const stdfs::path& root, const std::string& container_id) {
  return VolumeRecord::read(root / "containers" / container_id).anonymous;
}

std::vector<std::string> remove_anonymous_volumes(const ContainerStore& store, const stdfs::path& root, const std::string& container_id) {
  std::vector<std::string> removed;
  for (const auto& [target, name] : anonymous_volumes(root, container_id))
    if (store.remove_volume(name)) removed.push_back(name);
  return removed;
}

void AnonymousHandover::put(const std::string& container_name, std::map<std::string, std::string> volumes) {
  std::lock_guard lock(mutex_);
  volumes_[container_name] = std::move(volumes);
}

std::map<std::string, std::string> AnonymousHandover::take(const std::string& container_name) {
  std::lock_guard lock(mutex_);
  auto it = volumes_.find(container_name);
  if (it == volumes_.end()) return {};
  auto out = std::move(it->second);
  volumes_.erase(it);
  return out;
}

std::map<std::string, std::string> volumes_from_containers(const ContainerStore& store, const std::string& project, const Json& service) {
  std::map<std::string, std::string> out;
  if (!service.contains("volumes_from")) return out;
  for (const auto& e : service["volumes_from"]) {
    const std::string entry = e.get<std::string>();
    const bool container = entry.rfind("container:", 0) == 0;
    const std::string key = entry.substr(0, entry.find(':', container ? 10 : 0));
    if (container) {
      if (auto c = store.find(key.substr(10))) out[key] = c->id;
      continue;
    }
    std::optional<ContainerRecord> first;
    for (auto& c : store.list(project)) {
      auto oneoff = c.labels.find("com.docker.compose.oneoff");
      if (c.service != key || (oneoff != c.labels.end() && oneoff->second == "True")) continue;
      if (!first || c.number < first->number) first = std::move(c);
    }
    if (first) out[key] = first->id;
  }
  return out;
}

}  // namespace mycompose::scheduler
