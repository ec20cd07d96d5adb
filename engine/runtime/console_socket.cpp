#include "console_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {

UniqueFd connect_console_socket(const std::filesystem::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof addr.sun_path) throw Error("--console-socket " + path.string() + ": path too long");
  std::strcpy(addr.sun_path, path.c_str());
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw SystemError("socket for --console-socket", errno);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw SystemError("connect to --console-socket " + path.string(), errno);
  return s;
}

void send_console(int socket, int pty_master, const std::filesystem::path& path_for_errors) {
  if (pty_master < 0) throw Error("the container init gave no pty for --console-socket");
  char name[] = "/dev/ptmx";
  iovec iov{name, sizeof name - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &pty_master, sizeof(int));
  ssize_t n;
  do n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw SystemError("send the pty to --console-socket " + path_for_errors.string(), errno);
}

}  // namespace mycompose::runtime
