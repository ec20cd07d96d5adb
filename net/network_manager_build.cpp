// The build network: a bridge for Dockerfile RUN steps that lives only while builds use it.
// Its endpoints are step namespaces, not containers: a step whose host veth is gone has no
// namespace any more (the kernel deletes both ends of a pair with the namespace), which is
// how a killed builder's steps are told from running ones. Builders that hold the network
// between steps are recorded by pid and start time, checked the same way.
#include <cstdio>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/net/bridge.hpp"
#include "mycompose/net/network_manager.hpp"
#include "network_manager_internal.hpp"

namespace mycompose::net {

namespace {
constexpr const char* kBuildNetworkName = "mycompose-build";

std::optional<NetworkRecord> build_record(const std::filesystem::path& dir) {
  for (auto& r : detail::load_all(dir, [](const NetworkRecord& r) { return r.build; })) return std::move(r);
  return std::nullopt;
}

// Field 22 of /proc/<pid>/stat (after the parenthesised name, which may hold spaces); 0 when
// the process is gone, a zombie included (a builder killed, not yet reaped, holds nothing).
unsigned long long start_time(pid_t pid) {
  std::string stat;
  try {
    stat = fs::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  } catch (const std::exception&) {
    return 0;
  }
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  unsigned long long t = 0;
  char state = 0;
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
  // cstime priority nice threads itrealvalue starttime
  if (std::sscanf(stat.c_str() + close + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                  &state, &t) != 2)
    return 0;
  return state == 'Z' || state == 'X' ? 0 : t;
}
}  // namespace

std::optional<NetworkRecord> NetworkManager::build_network() const {
  detail::FileLock lock(dir_ / ".lock");
  return build_record(dir_);
}

Endpoint NetworkManager::connect_build_step(const std::string& step_id, const NetnsRef& netns, pid_t builder) {
  if (step_id.empty()) throw Error("build network: empty step id");
  detail::FileLock lock(dir_ / ".lock");
  NetlinkSocket nl;
  auto rec = build_record(dir_);
  if (rec) {
    prune_build_locked(nl);
    rec = build_record(dir_);
  }
  if (!rec) {
    NetworkSpec spec;
    spec.name = kBuildNetworkName;
    spec.labels = {{"com.mycompose.build", "true"}};
    rec = create_locked(spec, true);
  }
  if (rec->endpoints.count(step_id)) throw Error("build step " + step_id + " is already connected to the build network");
  if (builder > 0) {
    const auto started = start_time(builder);
    if (started == 0) throw Error("build network: builder process " + std::to_string(builder) + " is gone");
    if (rec->holders[builder] != started) {
      rec->holders[builder] = started;
      save(*rec);
    }
  }
  try {
    return connect_locked(*rec, step_id, netns, {});
  } catch (...) {
    try {
      prune_build_locked(nl);  // a network made just now for this step goes again
    } catch (...) {
    }
    throw;
  }
}

bool build_holder_alive(int pid, unsigned long long started) { return pid > 0 && start_time(pid) == started; }

void NetworkManager::disconnect_build_step(const std::string& step_id) {
  detail::FileLock lock(dir_ / ".lock");
  auto rec = build_record(dir_);
  if (!rec) return;
  NetlinkSocket nl;
  auto it = rec->endpoints.find(step_id);
  if (it != rec->endpoints.end()) {
    const std::string veth = it->second.host_veth;
    rec->endpoints.erase(it);
    detail::remove_endpoint(dir_, rec->id, step_id);
    delete_link(nl, veth);  // takes the step's end with it
  }
  prune_build_locked(nl);
}

void NetworkManager::release_build_network(pid_t builder) {
  detail::FileLock lock(dir_ / ".lock");
  auto rec = build_record(dir_);
  if (!rec) return;
  if (rec->holders.erase(builder)) save(*rec);
  NetlinkSocket nl;
  prune_build_locked(nl);
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
    const auto dead_steps = std::erase_if(rec.endpoints, [&](const auto& e) {
      if (nl.ifindex(e.second.host_veth) != 0) return false;
      detail::remove_endpoint(dir_, rec.id, e.first);
      return true;
    });
    const auto dead_holders = std::erase_if(rec.holders, [](const auto& h) { return !build_holder_alive(h.first, h.second); });
    changed |= dead_steps + dead_holders > 0;
    if (!rec.endpoints.empty() || !rec.holders.empty()) {
      if (dead_holders) save(rec);
      continue;
    }
    delete_link(nl, rec.bridge);
    detail::remove_network_files(dir_, rec.id);
    removed_network = changed = true;
  }
  if (removed_network) sync_nat();
  return changed;
}

}  // namespace mycompose::net
