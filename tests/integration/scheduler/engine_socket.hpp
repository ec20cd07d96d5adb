#pragma once
// One raw request to an engine's socket, for tests that watch the engine itself (its /info,
// what its supervisor knows) while CLIs keep it busy.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

namespace cli_project {

// GET target on a fresh connection; the answer's body, "" when none came (20 s safety net).
inline std::string engine_get(const std::filesystem::path& sock, const std::string& target) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    (void)!::write(fd, req.data(), req.size());
    char buf[65536];
    for (;;) {
      pollfd pf{fd, POLLIN, 0};
      if (::poll(&pf, 1, 20000) <= 0) break;
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  auto body = out.find("\r\n\r\n");
  return body == std::string::npos ? "" : out.substr(body + 4);
}

// Polls until the engine's supervisor has been told the container is being stopped (the
// stop's SIGTERM is on its way): the stop is under way (20 s safety net).
inline bool stop_under_way(const std::filesystem::path& root, const std::string& id) {
  for (int i = 0; i < 400; ++i) {
    if (engine_get(root / "engine.sock", "/supervisor/containers/" + id).find("\"stoppedByUser\":true") != std::string::npos)
      return true;
    ::usleep(50 * 1000);
  }
  return false;
}

}  // namespace cli_project
