#pragma once
// The container's own line in its /etc/hosts: its hostname and name resolve to its address
// on its first network, as Docker writes it; 127.0.1.1 only stands in until it has one.
#include <filesystem>
#include <string>

namespace mycompose::scheduler {

// Rewrites containers/<id>/hosts in place (the file is bind-mounted into the container, so
// its inode must stay): the line default_hosts() wrote ("<addr>\t<hostname> <name>") gets
// `address`, again after a restart on a new one. No-op without such a line.
void set_own_address(const std::filesystem::path& container_dir, const std::string& container_name, const std::string& address);

}  // namespace mycompose::scheduler
