#include "sync_socket.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {

void send_message(int sock, const nlohmann::json& body, int fd) {
  std::string text = body.dump();
  iovec iov{text.data(), text.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  ssize_t n;
  do n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  check_syscall(n, "send to the container init");
}

Message recv_message(int sock, const char* what) {
  // Not zero-filled: malloc maps a fresh 1 MiB and only the pages the message lands in get
  // touched (zeroing it cost 256 page faults per message).
  constexpr std::size_t kMax = 1 << 20;
  auto buf = std::make_unique_for_overwrite<char[]>(kMax);
  iovec iov{buf.get(), kMax};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(ucred))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  check_syscall(n, std::string("receive from ") + what);
  Message m;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      m.fd.reset(fd);
    } else if (c->cmsg_type == SCM_CREDENTIALS) {
      ucred cr;
      std::memcpy(&cr, CMSG_DATA(c), sizeof cr);
      m.sender = cr.pid;
    }
  }
  if (n == 0) throw Error(std::string(what) + ": connection closed");
  m.body = nlohmann::json::parse(std::string_view(buf.get(), static_cast<std::size_t>(n)));
  return m;
}

}  // namespace mycompose::runtime
