#pragma once
// Helpers for the engine's integration tests: a state root per test that kills the engines
// it started and removes every container, raw HTTP over the engine socket, event streams.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "integration/runtime/runtime_helpers.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/daemon/http.hpp"

namespace enginetest {

namespace stdfs = std::filesystem;
using nlohmann::json;
namespace http = mycompose::daemon::http;

// -1 when the connect fails (with nonblocking: also when the listener's backlog is full).
inline int connect_socket(const stdfs::path& sock, bool nonblocking = false) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the engine may close early (413): the answer is still readable
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

struct Answer {
  int status = 0;  // 0: no complete answer (connection closed or safety timeout)
  std::string body;
  http::Message msg;
};

// Reads one response from fd; on_body (optional) sees body bytes as they come and may
// return false to stop reading. A 20 s safety net, not a timing assertion.
inline Answer read_answer(int fd, const std::function<bool(std::string_view)>& on_body = nullptr) {
  http::Parser p(http::Parser::Kind::Response);
  bool stop = false;
  if (on_body) p.on_body([&](std::string_view b) { stop = stop || !on_body(b); });
  Answer a;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!stop && std::chrono::steady_clock::now() < deadline) {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 200) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) break;
    auto r = n == 0 ? p.finish() : p.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    if (r == http::Parser::Result::Done) {
      a.status = p.message().status;
      a.body = p.message().body;
      a.msg = p.message();
      return a;
    }
    if (r == http::Parser::Result::Error || n == 0) break;
  }
  if (stop) a.status = p.message().status;
  return a;
}

// Several answers on one connection (pipelining): bytes of the next answer that came with
// the previous one stay in the parser.
class AnswerReader {
 public:
  explicit AnswerReader(int fd) : fd_(fd) {}
  Answer next() {
    Answer a;
    if (started_) {
      p_.reset();
      if (p_.feed({}) == http::Parser::Result::Done) return take();
    }
    started_ = true;
    char buf[65536];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pf{fd_, POLLIN, 0};
      if (::poll(&pf, 1, 200) <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n < 0) break;
      auto r = n == 0 ? p_.finish() : p_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      if (r == http::Parser::Result::Done) return take();
      if (r == http::Parser::Result::Error || n == 0) break;
    }
    return a;
  }

 private:
  Answer take() {
    Answer a;
    a.status = p_.message().status;
    a.body = p_.message().body;
    a.msg = p_.message();
    return a;
  }
  int fd_;
  bool started_ = false;
  http::Parser p_{http::Parser::Kind::Response};
};

// One request on a fresh connection: the raw bytes in, the parsed answer out.
inline Answer http_exchange(const stdfs::path& sock, std::string_view raw) {
  int fd = connect_socket(sock);
  if (fd < 0) return {};
  send_all(fd, raw);
  Answer a = read_answer(fd);
  ::close(fd);
  return a;
}

inline Answer request(const stdfs::path& sock, const std::string& method, const std::string& target, const json& body = nullptr) {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
  if (!body.is_null()) {
    std::string b = body.dump();
    raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
  } else {
    raw += "\r\n";
  }
  return http_exchange(sock, raw);
}

// A GET /events subscription: collects JSON lines until `until` says enough.
class EventStream {
 public:
  explicit EventStream(const stdfs::path& sock, const std::string& target = "/events") {
    fd_ = connect_socket(sock);
    if (fd_ < 0) throw std::runtime_error("cannot connect to " + sock.string());
    send_all(fd_, "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n");
    // The head comes at once: after it, the subscription is in place.
    char c;
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      pollfd pf{fd_, POLLIN, 0};
      if (::poll(&pf, 1, 20000) <= 0 || ::read(fd_, &c, 1) != 1) throw std::runtime_error("no stream head");
      head += c;
    }
    head_ = head;
    parser_.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    parser_.on_body([this](std::string_view b) { pending_ += b; });
  }
  ~EventStream() {
    if (fd_ >= 0) ::close(fd_);
  }
  const std::string& head() const { return head_; }

  // Reads events until pred(all events so far) is true; false if the stream ended first
  // (or the 20 s safety net ran out).
  bool read_until(const std::function<bool(const std::vector<json>&)>& pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    char buf[65536];
    while (!pred(events)) {
      if (ended || std::chrono::steady_clock::now() > deadline) return false;
      pollfd pf{fd_, POLLIN, 0};
      if (::poll(&pf, 1, 200) <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        ended = true;
        continue;
      }
      auto r = parser_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      if (r != http::Parser::Result::NeedMore) ended = true;
      if (r == http::Parser::Result::Done) complete = true;
      std::size_t nl;
      while ((nl = pending_.find('\n')) != std::string::npos) {
        events.push_back(json::parse(pending_.substr(0, nl)));
        pending_.erase(0, nl + 1);
      }
    }
    return true;
  }

  std::vector<json> events;
  bool ended = false;
  bool complete = false;  // ended with the last chunk (not a cut connection)

 private:
  int fd_ = -1;
  std::string head_, pending_;
  http::Parser parser_{http::Parser::Kind::Response};
};

inline bool answers(const stdfs::path& root) { return request(root / "engine.sock", "GET", "/_ping").status == 200; }

// A state root for one test: engines started through it are killed, every container of
// its runtime root is deleted and the folder removed, whatever happened.
struct EngineRoot {
  stdfs::path dir;
  std::vector<pid_t> engines;

  EngineRoot() {
    char tmpl[] = "/tmp/mycompose-eng-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~EngineRoot() {
    for (pid_t p : engines) kill_engine(p);
    // An engine the CLI started on demand is not our child: the pid file names it.
    if (pid_t p = pid_in_file(); p > 0 && rttest::process_alive(p) && is_our_engine(p)) {
      ::kill(p, SIGKILL);
      rttest::wait_gone(p);
    }
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(runtime_root(), ec)) rt({"delete", "--force", e.path().filename().string()});
    stdfs::remove_all(dir, ec);
  }
  EngineRoot(const EngineRoot&) = delete;

  stdfs::path sock() const { return dir / "engine.sock"; }
  stdfs::path runtime_root() const { return dir / "runtime"; }
  std::string log() const {
    try {
      return mycompose::fs::read_file(dir / "engine.log");
    } catch (...) {
      return "";
    }
  }

  pid_t pid_in_file() const {
    try {
      return static_cast<pid_t>(std::stol(mycompose::fs::read_file(dir / "engine.pid")));
    } catch (...) {
      return 0;
    }
  }
  bool is_our_engine(pid_t p) const {
    try {
      std::string cmd = mycompose::fs::read_file("/proc/" + std::to_string(p) + "/cmdline");
      return cmd.find("engine") != std::string::npos && cmd.find(dir.string()) != std::string::npos;
    } catch (...) {
      return false;
    }
  }

  // Starts `mycompose engine --root dir` as our child and waits until it answers.
  pid_t start_engine() {
    pid_t pid = ::fork();
    if (pid == 0) {
      int out = ::open((dir / "engine.out").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(out, 1);
      ::dup2(out, 2);
      std::string bin = rttest::mycompose_bin(), root = dir.string();
      ::execl(bin.c_str(), bin.c_str(), "engine", "--root", root.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    engines.push_back(pid);
    for (int ms = 1; !answers(dir); ms = std::min(ms * 2, 100)) {
      int st;
      if (::waitpid(pid, &st, WNOHANG) == pid) {
        engines.pop_back();
        throw std::runtime_error("engine exited early:\n" + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    return pid;
  }

  // Waits for our child engine; returns its exit status (128+sig when killed).
  int wait_engine(pid_t pid) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    engines.erase(std::remove(engines.begin(), engines.end(), pid), engines.end());
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  void kill_engine(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }

  rttest::Result rt(std::vector<std::string> args) const {
    std::vector<std::string> argv = {rttest::mycompose_bin(), "runtime", "--root", runtime_root().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return rttest::run_argv(argv, dir);
  }
  json state(const std::string& id) const {
    auto r = rt({"state", id});
    return r.status == 0 ? json::parse(r.out) : json();
  }
  rttest::Bundle bundle(const std::string& name, const std::vector<std::string>& args) const {
    return rttest::make_bundle(dir / name, args);
  }
};

}  // namespace enginetest
