#pragma once
// Messages between the runtime and the container's init over a SOCK_SEQPACKET pair: one JSON
// document per message, optionally carrying a file descriptor; the receiver may ask for the
// sender's credentials (its pid translated into the receiver's pid namespace).
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

struct Message {
  nlohmann::json body;
  UniqueFd fd;        // SCM_RIGHTS, if any
  pid_t sender = 0;   // SCM_CREDENTIALS, if the socket has SO_PASSCRED
};

void send_message(int sock, const nlohmann::json& body, int fd = -1);
// Throws Error("<what>: connection closed") at end of stream.
Message recv_message(int sock, const char* what);

}  // namespace mycompose::runtime
