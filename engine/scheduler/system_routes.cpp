// POST /system/prune {"all", "volumes"}: `mycompose system prune` — stopped containers,
// networks no container uses, (with volumes) unused volumes, dangling images (all unused
// ones with all), build cache. Images and volumes of the remaining containers stay.
#include <algorithm>
#include <cctype>
#include <set>

#include "mycompose/common/fs.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/scheduler/volumes.hpp"
#include "project_services.hpp"

namespace mycompose::scheduler {

using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

constexpr const char* kSystemLock = "\n system";

std::int64_t image_bytes(const stdfs::path& root) { return disk_usage(root / "content") + disk_usage(root / "layers"); }

json prune_containers(const stdfs::path& root, const ConvergeHooks& hooks, std::int64_t& reclaimed) {
  ContainerStore store(root);
  net::NetworkManager networks(root);
  json deleted = json::array();
  for (const auto& c : store.list()) {
    const std::string status = store.state(c.id).status;
    if (status != "stopped" && status != "created") continue;
    for (const auto& n : networks.list()) {
      auto ep = n.endpoints.find(c.id);
      if (ep == n.endpoints.end()) continue;
      const std::string address = ep->second.ip;
      networks.disconnect(n.name, c.id);
      if (hooks.endpoint_removed) hooks.endpoint_removed(n.id, address);
    }
    const std::int64_t size = disk_usage(root / "containers" / c.id / "upper");
    if (hooks.removed) hooks.removed(c.id);  // the supervisor forgets it (and its record)
    store.remove(c.id, false);
    reclaimed += size;
    deleted.push_back(c.id);
  }
  return deleted;
}

json prune_volumes(const stdfs::path& root, bool all, std::int64_t& reclaimed) {
  const auto users = volume_users(root);
  ContainerStore store(root);
  json deleted = json::array();
  for (const auto& v : list_volumes(root)) {
    auto u = users.find(v.name);
    if ((u != users.end() && !u->second.empty()) || (!all && !v.anonymous)) continue;
    const std::int64_t size = disk_usage(v.mountpoint);
    store.remove_volume(v.name);
    reclaimed += size;
    deleted.push_back(v.name);
  }
  return deleted;
}

json prune_images(const stdfs::path& root, bool all) {
  std::set<std::string> in_use;
  for (const auto& c : ContainerStore(root).list()) in_use.insert(c.image_id);
  image::ImageStore images(root);
  json lines = json::array();
  for (const auto& img : images.list()) {
    if (in_use.count(img.id) || (!all && !img.repo_tags.empty())) continue;
    // "Untagged: x" → "untagged: x": docker's prune lines are lower case.
    for (auto& l : images.remove(img.id, true)) {
      if (!l.empty()) l[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(l[0])));
      lines.push_back(l);
    }
  }
  return lines;
}

// Cache records (build-cache/records/<key>.json) and the layers only they kept.
json prune_build_cache(const stdfs::path& root) {
  image::ImageStore images(root);
  json deleted = json::array();
  std::vector<std::string> layers;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "build-cache" / "records", ec)) {
    if (e.path().extension() != ".json") continue;
    try {
      layers.push_back(json::parse(fs::read_file(e.path())).value("chain_id", ""));
    } catch (const std::exception&) {
    }
    stdfs::remove(e.path());
    deleted.push_back(e.path().stem().string());
  }
  for (const auto& l : layers)
    if (!l.empty()) images.remove_layer_if_unused(l);
  return deleted;
}

}  // namespace

void install_system_routes(daemon::Engine& engine, ProjectServices& services) {
  const stdfs::path root = engine.root();
  engine.router().add("POST /system/prune", [&services, root](daemon::Request& req, const std::shared_ptr<daemon::Responder>& out) {
    const json body = req.json_body();
    const bool all = body.value("all", false), volumes = body.value("volumes", false);
    services.run(kSystemLock, out, [&services, root, all, volumes](const ConvergeHooks& hooks, json& result) {
      std::int64_t reclaimed = 0;
      result["containers"] = prune_containers(root, hooks, reclaimed);
      result["networks"] = prune_networks(services, root, {});
      result["volumes"] = volumes ? prune_volumes(root, false, reclaimed) : json::array();
      const std::int64_t before = image_bytes(root);
      result["images"] = prune_images(root, all);
      result["build_cache"] = prune_build_cache(root);
      reclaimed += std::max<std::int64_t>(0, before - image_bytes(root));
      result["reclaimed"] = reclaimed;
    });
  });
}

}  // namespace mycompose::scheduler
