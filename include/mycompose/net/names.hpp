#pragma once
// Host-global names (links, nft table) carry a short hash of the state root, so two engines
// on one host never collide and cleanup can find everything a root made by name alone.
#include <filesystem>
#include <string>
#include <string_view>

namespace mycompose::net {

// Every link any mycompose root makes starts with this; isolation rules match it.
inline constexpr std::string_view kLinkFamilyPrefix = "mc";
inline constexpr std::size_t kMaxLinkName = 15;  // IFNAMSIZ - 1

class HostNames {
 public:
  explicit HostNames(const std::filesystem::path& root);

  // 5 hex digits of sha256(canonical root path).
  const std::string& root_tag() const { return tag_; }
  // "mc" + root tag: the prefix of every link this root makes (7 chars).
  std::string link_prefix() const;
  // prefix + 'b' + 7 hex of the network id.
  std::string bridge_name(std::string_view network_id) const;
  // prefix + 'v' + 7 hex of sha256(network id, container id): the host side of an endpoint.
  std::string veth_name(std::string_view network_id, std::string_view container_id) const;
  // "mycompose_" + root tag.
  std::string nft_table() const;

 private:
  std::string tag_;
};

}  // namespace mycompose::net
