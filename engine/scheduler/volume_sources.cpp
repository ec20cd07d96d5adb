#include "volume_sources.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <deque>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/mount_source.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kRecordFile = "volumes.json";

// The subpath's location, refusing a path that leaves the volume or goes through a symlink,
// with the rule the runtime applies again at every start (runtime/mount_source.hpp).
stdfs::path subpath_source(const std::string& what, const stdfs::path& volume, const std::string& subpath) {
  const stdfs::path rel = stdfs::path(subpath).lexically_normal();
  if (rel.empty() || rel.is_absolute() || *rel.begin() == "..")
    throw Error(what + ": subpath \"" + subpath + "\" must be a relative path inside the volume");
  const stdfs::path source = (volume / rel).lexically_normal();
  try {
    runtime::open_mount_source(source.string(), volume.string());
  } catch (const SystemError& e) {
    throw Error(what + ": cannot access path " + source.string() + ": " + std::strerror(e.error_number()));
  } catch (const Error&) {
    throw Error(what + ": subpath \"" + subpath + "\" goes through a symlink");
  }
  return source;
}

// Every symlink met resolving `path` as the kernel would, as (the folder it is in, its path);
// returns the resolved path. A missing tail is kept as written.
std::string resolve_noting_links(const std::string& path, std::vector<std::pair<std::string, std::string>>& links) {
  std::deque<std::string> todo;
  auto push_front = [&](const std::string& p) {
    std::vector<std::string> parts;
    for (const auto& c : stdfs::path(p)) parts.push_back(c.string());
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      if (*it != "/" && !it->empty()) todo.push_front(*it);
  };
  push_front(path);
  std::string done;  // resolved so far; "" is "/"
  for (int followed = 0; !todo.empty();) {
    const std::string c = todo.front();
    todo.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      done = done.substr(0, done.rfind('/') == std::string::npos ? 0 : done.rfind('/'));
      continue;
    }
    const std::string next = done + "/" + c;
    struct stat st;
    if (::lstat(next.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
      done = next;
      continue;
    }
    if (++followed > 40) throw Error("bind source " + path + ": too many levels of symbolic links");
    char target[PATH_MAX];
    const ssize_t n = ::readlink(next.c_str(), target, sizeof target - 1);
    if (n < 0) throw SystemError("readlink " + next, errno);
    links.emplace_back(done.empty() ? "/" : done, next);
    const std::string t(target, static_cast<std::size_t>(n));
    if (!t.empty() && t[0] == '/') done.clear();
    push_front(t);
  }
  return done.empty() ? "/" : done;
}

bool read_only(const std::vector<std::string>& options) {
  return std::find(options.begin(), options.end(), "ro") != options.end();
}

// Host folders a container may write (so may have put a symlink in): the volumes, every
// container's upper layer and root, the read-write bind sources of every container's spec
// and of the service being created. (folder → who can write it, for the message.)
std::vector<std::pair<std::string, std::string>> writable_folders(const stdfs::path& root, const Json& service) {
  std::vector<std::pair<std::string, std::string>> out{{(root / "volumes").string(), "any container with a volume"}};
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "containers", ec)) {
    std::string who = "container " + e.path().filename().string();
    try {
      who = "container " + nlohmann::json::parse(fs::read_file(e.path() / "container.json", 1 << 20)).value("name", who.substr(10));
    } catch (const std::exception&) {
    }
    out.emplace_back((e.path() / "upper").string(), who);
    out.emplace_back((e.path() / "rootfs").string(), who);
    try {
      const auto spec = nlohmann::json::parse(fs::read_file(e.path() / "config.json", 16 << 20));
      for (const auto& m : spec.value("mounts", nlohmann::json::array())) {
        const auto options = m.value("options", std::vector<std::string>{});
        const bool bind = m.value("type", "") == "bind" || std::find(options.begin(), options.end(), "rbind") != options.end() ||
                          std::find(options.begin(), options.end(), "bind") != options.end();
        if (bind && !read_only(options)) out.emplace_back(m.value("source", ""), who);
      }
    } catch (const std::exception&) {
      // A container folder without a readable spec mounts nothing we can name.
    }
  }
  if (service.contains("volumes"))
    for (const auto& v : service["volumes"])
      if (v.value("type", "") == "bind" && !v.value("read_only", false)) out.emplace_back(v.value("source", ""), "this service");
  for (auto& [folder, who] : std::vector(out))
    if (auto real = stdfs::weakly_canonical(folder, ec); !ec && real.string() != folder) out.emplace_back(real.string(), who);
  return out;
}

// A container that can write the host's "/" owns the host already: refusing every link
// because of it would only break paths like /var/run/docker.sock for everyone.
bool inside(const std::string& path, const std::string& folder) {
  if (folder.empty() || folder == "/") return false;
  return path == folder || (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 && path[folder.size()] == '/');
}

}  // namespace

VolumeRecord VolumeRecord::read(const stdfs::path& container_dir) {
  // None, or a torn one (moved aside: system check lists it): no mounts recorded.
  auto r = fs::read_record(container_dir / kRecordFile, 16 << 20, [](const nlohmann::json& j) {
    VolumeRecord r;
    r.anonymous = j.value("anonymous", std::map<std::string, std::string>{});
    for (const auto& m : j.value("mounts", nlohmann::json::array()))
      r.mounts.push_back({m.at("destination"), m.at("source"), m.value("type", "bind"), m.value("options", std::vector<std::string>{}),
                          m.value("source_root", "")});
    return r;
  });
  return r ? std::move(*r) : VolumeRecord{};
}

void VolumeRecord::write(const stdfs::path& container_dir) const {
  nlohmann::json mounts_json = nlohmann::json::array();
  for (const auto& m : mounts)
    mounts_json.push_back(
        {{"destination", m.destination}, {"source", m.source}, {"type", m.type}, {"options", m.options}, {"source_root", m.source_root}});
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

std::string resolve_bind_source(const stdfs::path& root, const std::string& what, const std::string& source, const Json& service) {
  std::vector<std::pair<std::string, std::string>> links;
  const std::string real = resolve_noting_links(source, links);
  if (links.empty()) return real;
  const auto writable = writable_folders(root, service);
  for (const auto& [folder, link] : links)
    for (const auto& [w, who] : writable)
      if (inside(folder, w))
        throw Error(what + ": bind source \"" + source + "\" goes through the symbolic link \"" + link + "\", in \"" + w +
                    "\", which " + who + " can write: refusing it, as it could lead anywhere on the host");
  return real;
}

std::map<std::string, std::string> prepare_bind_sources(const stdfs::path& root, const std::string& service_name, const Json& service) {
  std::map<std::string, std::string> out;
  if (!service.contains("volumes")) return out;
  const std::string what = "service \"" + service_name + "\"";
  for (const auto& v : service["volumes"]) {
    if (v.value("type", "") != "bind") continue;
    const std::string source = v.value("source", "");
    // Resolved before anything is made, so a link a container planted cannot lead the mkdir.
    const std::string real = resolve_bind_source(root, what, source, service);
    std::error_code ec;
    if (!stdfs::exists(stdfs::symlink_status(real, ec))) {
      const bool create = v.contains("bind") && v["bind"].value("create_host_path", false);
      if (!create)
        throw Error(what + ": invalid mount config for type \"bind\": bind source path does not exist: " + source);
      fs::make_dirs(real, 0755);
    }
    out[source] = real;
  }
  return out;
}

std::map<std::string, std::string> volume_host_paths(const ContainerStore& store, const std::string& project,
                                                     const std::string& container_id, const std::string& service_name,
                                                     const Json& service, const std::map<std::string, std::string>& named,
                                                     const std::map<std::string, std::string>& keep,
                                                     std::map<std::string, std::string>& anonymous,
                                                     std::map<std::string, std::string>& roots) {
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
    const stdfs::path volume = store.volume_path(name);
    stdfs::path data = volume;
    const std::string subpath = v.contains("volume") ? v["volume"].value("subpath", "") : "";
    if (!subpath.empty()) {
      key += "/" + subpath;  // the settings mapper looks subpath mounts up under this key
      data = subpath_source("service \"" + service_name + "\": volume \"" + (source.empty() ? target : source) + "\"", data, subpath);
    }
    paths[key] = data.string();
    roots[key] = volume.string();
  }
  return paths;
}

void remove_new_volumes(const ContainerStore& store, const std::map<std::string, std::string>& made,
                        const std::map<std::string, std::string>& keep) {
  for (const auto& [target, name] : made) {
    auto kept = keep.find(target);
    if (kept != keep.end() && kept->second == name) continue;
    try {
      store.remove_volume(name);
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
