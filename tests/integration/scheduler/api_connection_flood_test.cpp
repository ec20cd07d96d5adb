// Class: exhausting the engine through its API socket. It had no connection cap, no idle
// timeout and no descriptor reserve: idle clients took every descriptor the engine had, and
// then every project's commands failed ("Too many open files"); a client that sends half a
// request (slowloris) held its connection for ever. Real connections to the real socket.
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cli_project_fixture.hpp"
#include "engine_socket.hpp"

using namespace cli_project;

namespace {

// A non-blocking connect; -1 when the listener's backlog is full or the engine refused.
int connect_engine(const stdfs::path& sock) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

long rss_kb(pid_t pid) {
  std::string status = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

struct Fds {
  std::vector<int> fds;
  ~Fds() {
    for (int fd : fds) ::close(fd);
  }
};

}  // namespace

TEST_CASE("2,000 idle API connections and a slowloris leave the engine answering ps and up, its memory bounded", "[limits]") {
  Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  p.ok({"up", "-d"});
  const stdfs::path sock = p.r.root() / "engine.sock";
  const pid_t engine = static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));
  // The engine gets 1,024 descriptors (a common default), fewer than the clients below:
  // they must not be able to take them all.
  rlimit small{1024, 1024};
  REQUIRE(::prlimit(engine, RLIMIT_NOFILE, &small, nullptr) == 0);
  const long rss_before = rss_kb(engine);

  Fds clients;
  // A slowloris: half a request, never finished.
  int slow = connect_engine(sock);
  REQUIRE(slow >= 0);
  clients.fds.push_back(slow);
  const std::string partial = "POST /projects/proj/up HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n{\"project\":";
  REQUIRE(::write(slow, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
  int connected = 0;
  for (int i = 0; i < 2000; ++i) {
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 200; ++tries) {
      fd = connect_engine(sock);
      if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // backlog full: let it accept
    }
    if (fd >= 0) {
      clients.fds.push_back(fd);
      ++connected;
    }
  }
  INFO("connected " << connected);
  CHECK(connected >= 2000);

  // The engine still serves every project: a query and a real operation.
  auto ps = p.run({"ps", "--format", "json"});
  INFO(ps.err);
  CHECK(ps.exit_code == 0);
  CHECK(ps.out.find("proj-web-1") != std::string::npos);
  const stdfs::path other = p.r.dir / "other";
  stdfs::create_directories(other);
  mycompose::fs::write_file_atomic(other / "compose.yaml", "services:\n  solo:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  Cli o(p.r.root(), other);
  auto up = o.run({"up", "-d"});
  INFO(up.err);
  CHECK(up.exit_code == 0);

  // It holds no more connections than its cap, and its memory stays bounded.
  std::string info_text = engine_get(sock, "/info");
  INFO(info_text);
  json info = json::parse(info_text);
  CHECK(info["Connections"].get<std::size_t>() <= info["Api"]["MaxConnections"].get<std::size_t>());
  const long rss_after = rss_kb(engine);
  INFO("engine RSS " << rss_before << " kB before, " << rss_after << " kB with the flood");
  CHECK(rss_after - rss_before < 64 * 1024);

  for (int fd : clients.fds) ::close(fd);
  clients.fds.clear();
  o.run({"down", "-t", "0"});
}

TEST_CASE("a connection that sends half a request and then nothing is closed by the engine", "[limits]") {
  Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  p.ok({"engine", "ping"});
  int fd = connect_engine(p.r.root() / "engine.sock");
  REQUIRE(fd >= 0);
  const std::string partial = "POST /projects/proj/up HTTP/1.1\r\nHost: t\r\nContent-Len";
  REQUIRE(::write(fd, partial.data(), partial.size()) == static_cast<ssize_t>(partial.size()));
  // The engine's idle timeout is 30 s; 90 s is the safety net, not a timing assertion.
  bool closed = false;
  for (int i = 0; i < 900 && !closed; ++i) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 100) > 0) {
      char c;
      closed = ::read(fd, &c, 1) <= 0;
    }
  }
  ::close(fd);
  CHECK(closed);
  CHECK(p.run({"engine", "ping"}).exit_code == 0);
}
