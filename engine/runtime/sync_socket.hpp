#pragma once
// Messages between the runtime and the container's init over a SOCK_SEQPACKET pair: one JSON
// document per message, optionally carrying file descriptors; the receiver may ask for the
// sender's credentials (its pid translated into the receiver's pid namespace).
#include <sys/types.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <vector>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

inline constexpr std::size_t kMaxMessageFds = 4;

struct Message {
  nlohmann::json body;
  std::vector<UniqueFd> fds;  // SCM_RIGHTS, in the order sent
  pid_t sender = 0;           // SCM_CREDENTIALS, if the socket has SO_PASSCRED
  // fds[i], or an empty fd when fewer came.
  UniqueFd take_fd(std::size_t i = 0) { return i < fds.size() ? std::move(fds[i]) : UniqueFd(); }
};

// fds: at most kMaxMessageFds; -1 entries are skipped.
void send_message(int sock, const nlohmann::json& body, std::initializer_list<int> fds = {});
// Throws Error("<what>: connection closed") at end of stream.
Message recv_message(int sock, const char* what);

}  // namespace mycompose::runtime
