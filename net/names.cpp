#include "mycompose/net/names.hpp"

#include "mycompose/common/sha256.hpp"

namespace mycompose::net {

namespace {
std::filesystem::path canonical_root(const std::filesystem::path& root) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(root), ec);
  if (ec) p = std::filesystem::absolute(root).lexically_normal();
  // "/a/b/" and "/a/b" are one root (weakly_canonical keeps the slash of a missing folder).
  if (!p.has_filename() && p != p.root_path()) p = p.parent_path();
  return p;
}
}  // namespace

HostNames::HostNames(const std::filesystem::path& root)
    : tag_(sha256_hex(canonical_root(root).string()).substr(0, 5)) {}

std::string HostNames::link_prefix() const { return std::string(kLinkFamilyPrefix) + tag_; }

std::string HostNames::bridge_name(std::string_view network_id) const {
  return link_prefix() + "b" + std::string(network_id.substr(0, 7));
}

std::string HostNames::veth_name(std::string_view network_id, std::string_view container_id) const {
  std::string key(network_id);
  key += '/';
  key += container_id;
  return link_prefix() + "v" + sha256_hex(key).substr(0, 7);
}

std::string HostNames::nft_table() const { return "mycompose_" + tag_; }

}  // namespace mycompose::net
