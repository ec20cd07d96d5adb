// `runtime create --console-socket` (runc's protocol): the pty master of a process.terminal
// container arrives on the caller's unix socket, and the container's output comes out of it.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "mycompose/common/unique_fd.hpp"
#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

// Listens on path; receive() accepts one connection and returns the fd it carries.
struct ConsoleListener {
  mycompose::UniqueFd sock;
  explicit ConsoleListener(const stdfs::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    sock.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(sock.get(), 1) == 0);
  }
  mycompose::UniqueFd receive() {
    mycompose::UniqueFd conn(::accept4(sock.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return {};
    char data[64];
    iovec iov{data, sizeof data};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC) <= 0) return {};
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return {};
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return mycompose::UniqueFd(fd);
  }
};

// Everything the pty gives until the process side closes (EIO), up to 10 s.
std::string drain(int master) {
  std::string out;
  char buf[256];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

TEST_CASE("runtime create --console-socket: the pty master reaches the caller") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "echo hello from a tty; tty"});
  b.config["process"]["terminal"] = true;
  b.write();
  const stdfs::path sock = sb.dir / "console.sock";
  ConsoleListener listener(sock);
  mycompose::UniqueFd master;
  std::thread accept([&] { master = listener.receive(); });
  Result created = sb.rt({"create", "--console-socket", sock.string(), "--bundle", b.dir.string(), "c1"});
  accept.join();
  INFO(created.err);
  REQUIRE(created.status == 0);
  REQUIRE(master);
  REQUIRE(sb.rt({"start", "c1"}).status == 0);
  std::string out = drain(master.get());
  CHECK(out.find("hello from a tty\r\n") != std::string::npos);  // the tty's onlcr: a real terminal
  CHECK(out.find("/dev/") != std::string::npos);
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
}

TEST_CASE("runtime create: process.terminal without --console-socket, or with a dead one, creates nothing") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["process"]["terminal"] = true;
  b.write();
  Result none = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(none.status == 1);
  CHECK(none.err == "error: config.json: process.terminal needs --console-socket (or `run` in the foreground)\n");
  Result dead = sb.rt({"create", "--console-socket", (sb.dir / "nobody.sock").string(), "--bundle", b.dir.string(), "c1"});
  CHECK(dead.status == 1);
  CHECK(dead.err == "error: connect to --console-socket " + (sb.dir / "nobody.sock").string() + ": No such file or directory\n");
  CHECK(sb.rt({"list", "-q"}).out.empty());
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
