#pragma once
// Pieces the NetworkManager source files share.
#include <filesystem>
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

std::vector<NetworkRecord> load_all(const std::filesystem::path& dir);

// The address pool of a record, with its allocations and cursor restored.
AddressPool pool_of(const NetworkRecord& r);

}  // namespace mycompose::net::detail
