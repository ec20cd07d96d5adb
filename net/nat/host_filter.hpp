#pragma once
#include <string>
#include <vector>

namespace mycompose::net {

// The nft commands that make the host's `ip filter FORWARD` chain hold exactly our accept
// rules for `bridges` (tagged with comment `tag`): deletes by handle, then inserts. "" when
// they are already so. The handles are read now: run the result at once.
std::string host_filter_script(const std::string& tag, const std::vector<std::string>& bridges);

}  // namespace mycompose::net
