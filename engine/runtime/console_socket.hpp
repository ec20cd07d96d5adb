#pragma once
// runc's --console-socket protocol: the runtime connects to a unix stream socket the caller
// listens on and sends the container's pty master over it (SCM_RIGHTS), with the pty's
// name as the message data.
#include <filesystem>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

UniqueFd connect_console_socket(const std::filesystem::path& path);
void send_console(int socket, int pty_master, const std::filesystem::path& path_for_errors);

}  // namespace mycompose::runtime
