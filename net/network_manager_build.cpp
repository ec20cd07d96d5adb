// The build network: a bridge for Dockerfile RUN steps that lives only while steps use it.
// Its endpoints are step namespaces, not containers: a step whose host veth is gone has no
// namespace any more (the kernel deletes both ends of a pair with the namespace), which is
// how a killed builder's steps are told from running ones without knowing the builder.
#include "mycompose/common/error.hpp"
#include "mycompose/net/bridge.hpp"
#include "mycompose/net/network_manager.hpp"
#include "network_manager_internal.hpp"

namespace mycompose::net {

namespace {
constexpr const char* kBuildNetworkName = "mycompose-build";

std::optional<NetworkRecord> build_record(const std::filesystem::path& dir) {
  for (auto& r : detail::load_all(dir))
    if (r.build) return std::move(r);
  return std::nullopt;
}
}  // namespace

std::optional<NetworkRecord> NetworkManager::build_network() const {
  detail::FileLock lock(dir_ / ".lock");
  return build_record(dir_);
}

Endpoint NetworkManager::connect_build_step(const std::string& step_id, const NetnsRef& netns) {
  if (step_id.empty()) throw Error("build network: empty step id");
  detail::FileLock lock(dir_ / ".lock");
  NetlinkSocket nl;
  prune_build_locked(nl);
  auto rec = build_record(dir_);
  if (!rec) {
    NetworkSpec spec;
    spec.name = kBuildNetworkName;
    spec.labels = {{"com.mycompose.build", "true"}};
    rec = create_locked(spec, true);
  }
  if (rec->endpoints.count(step_id)) throw Error("build step " + step_id + " is already connected to the build network");
  return connect_locked(*rec, step_id, netns, {});
}

void NetworkManager::disconnect_build_step(const std::string& step_id) {
  std::string veth;
  {
    detail::FileLock lock(dir_ / ".lock");
    auto rec = build_record(dir_);
    if (!rec) return;
    auto it = rec->endpoints.find(step_id);
    if (it != rec->endpoints.end()) {
      veth = it->second.host_veth;
      rec->endpoints.erase(it);
      save(*rec, Durability::Renamed);
    }
    NetlinkSocket nl;
    if (!veth.empty()) delete_link(nl, veth);  // before pruning: this step is over
    prune_build_locked(nl);
  }
}

bool NetworkManager::prune_build_network() {
  detail::FileLock lock(dir_ / ".lock");
  NetlinkSocket nl;
  return prune_build_locked(nl);
}

bool NetworkManager::prune_build_locked(NetlinkSocket& nl) {
  bool removed_network = false, changed = false;
  for (auto& rec : detail::load_all(dir_)) {
    if (!rec.build) continue;
    const auto dead = std::erase_if(rec.endpoints, [&](const auto& e) { return nl.ifindex(e.second.host_veth) == 0; });
    changed |= dead > 0;
    if (!rec.endpoints.empty()) {
      if (dead) save(rec, Durability::Renamed);
      continue;
    }
    delete_link(nl, rec.bridge);
    std::filesystem::remove(dir_ / (rec.id + ".json"));
    removed_network = changed = true;
  }
  if (removed_network) sync_nat();
  return changed;
}

}  // namespace mycompose::net
