#pragma once
// Pieces the NetworkManager source files share.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/net/ipam.hpp"
#include "mycompose/net/network.hpp"

namespace mycompose::net::detail {

// Exclusive flock held for the object's lifetime (the file itself is never removed, so
// every holder locks the same inode).
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);

 private:
  UniqueFd fd_;
};

// Host-wide lock around "pick a subnet, create its bridge", shared by every root.
inline constexpr const char* kHostIpamLock = "/run/mycompose-ipam.lock";

// The networks of the folder (those `wanted` accepts) with their endpoints. Callers hold the
// folder's FileLock.
std::vector<NetworkRecord> load_all(const std::filesystem::path& dir,
                                    const std::function<bool(const NetworkRecord&)>& wanted = {});

// Endpoints are files of their own, <network id>.endpoints/<container id>.json, so a connect
// or disconnect writes one small file, not the network with all its endpoints.
std::filesystem::path endpoints_dir(const std::filesystem::path& dir, const std::string& network_id);
void write_endpoint(const std::filesystem::path& dir, const std::string& network_id, const Endpoint& ep);
void remove_endpoint(const std::filesystem::path& dir, const std::string& network_id, const std::string& container_id);
void write_cursor(const std::filesystem::path& dir, const std::string& network_id, const std::string& cursor);
// The record and its endpoints.
void remove_network_files(const std::filesystem::path& dir, const std::string& network_id);

// The address pool of a record, with its allocations and cursor restored.
AddressPool pool_of(const NetworkRecord& r);

}  // namespace mycompose::net::detail
