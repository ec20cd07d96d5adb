#include "sync_socket.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {

void send_message(int sock, const nlohmann::json& body, std::initializer_list<int> fds) {
  std::string text = body.dump();
  iovec iov{text.data(), text.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  int sent[kMaxMessageFds];
  std::size_t count = 0;
  for (int fd : fds)
    if (fd >= 0) {
      if (count == kMaxMessageFds) throw Error("send to the container init: too many descriptors");
      sent[count++] = fd;
    }
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof sent)];
  if (count > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(count * sizeof(int));
    std::memcpy(CMSG_DATA(c), sent, count * sizeof(int));
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
  alignas(cmsghdr) char control[CMSG_SPACE(kMaxMessageFds * sizeof(int)) + CMSG_SPACE(sizeof(ucred))];
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
      const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (std::size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        m.fds.emplace_back(fd);
      }
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
