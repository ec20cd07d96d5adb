// Blocking client for the engine socket, and starting the engine on demand.
#include "engine_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_root.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/daemon/http.hpp"
#include "mycompose/common/json_limits.hpp"

namespace mycompose::cli {

namespace stdfs = std::filesystem;
using nlohmann::json;
namespace http = daemon::http;

namespace {

UniqueFd connect_unix(const stdfs::path& socket, int& err) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) {
    err = errno;
    return fd;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket.string().size() >= sizeof addr.sun_path) {
    err = ENAMETOOLONG;
    return UniqueFd();
  }
  std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    err = errno;
    return UniqueFd();
  }
  return fd;
}

// The last n lines of a file, for error messages.
std::string tail_lines(const stdfs::path& file, int n) {
  std::string text;
  try {
    text = fs::read_file(file);
  } catch (const std::exception&) {
    return "";
  }
  std::size_t pos = text.size();
  if (pos && text[pos - 1] == '\n') --pos;
  for (int i = 0; i < n && pos != std::string::npos && pos > 0; ++i) pos = text.rfind('\n', pos - 1);
  return text.substr(pos == std::string::npos ? 0 : pos + (pos ? 1 : 0));
}

std::string engine_message(const EngineResponse& r) {
  try {
    json j = parse_json_bounded(r.body);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  } catch (const std::exception&) {
  }
  return r.body.empty() ? std::string(http::reason_phrase(r.status)) : r.body;
}

// Reads one response; body bytes go to on_body when given. Throws on a broken connection.
EngineResponse read_response(int fd, const stdfs::path& socket, bool head,
                             const std::function<void(std::string_view)>& on_body, bool* any_bytes) {
  http::Limits limits;
  limits.max_body_bytes = 1ull << 32;
  http::Parser parser(http::Parser::Kind::Response, limits);
  if (head) parser.expect_no_body();
  if (on_body) parser.on_body(on_body);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError("read from the engine at " + socket.string(), errno);
    if (n > 0 && any_bytes) *any_bytes = true;
    http::Parser::Result r = n == 0 ? parser.finish() : parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    if (r == http::Parser::Result::Error) {
      if (n == 0) throw Error("the engine at " + socket.string() + " closed the connection before answering");
      throw Error("bad answer from the engine at " + socket.string() + ": " + parser.error().message);
    }
    if (r == http::Parser::Result::Done) {
      EngineResponse out;
      out.status = parser.message().status;
      out.headers = std::move(parser.message().headers);
      out.body = std::move(parser.message().body);
      return out;
    }
  }
}

// Whether engine.pid names a live process other than the one we started.
bool other_engine_holds(const stdfs::path& root, pid_t ours) {
  try {
    pid_t holder = static_cast<pid_t>(std::stol(fs::read_file(root / daemon::kPidFile, 64)));
    return holder > 0 && holder != ours && ::kill(holder, 0) == 0;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::string engine_program() {
  std::error_code ec;
  stdfs::path self = stdfs::read_symlink("/proc/self/exe", ec);
  if (ec) throw SystemError("readlink /proc/self/exe", ec.value());
  return (self.parent_path() / "mycompose-engine").string();
}

namespace {

// Allocates nothing: it runs in the child of a fork, maybe of a process with other threads.
void exec_engine_program(const std::string& program, const char* const* argv) {
  ::execv(program.c_str(), const_cast<char* const*>(argv));
  std::fprintf(stderr, "error: cannot run %s: %s (it is installed beside mycompose)\n", program.c_str(), std::strerror(errno));
}

}  // namespace

void exec_engine(const stdfs::path& root, const std::string& log_level) {
  const std::string root_s = root.string();
  std::vector<const char*> argv = {"mycompose", "engine", "--root", root_s.c_str()};
  if (!log_level.empty()) {
    argv.push_back("--log-level");
    argv.push_back(log_level.c_str());
  }
  argv.push_back(nullptr);
  exec_engine_program(engine_program(), argv.data());
}

json EngineResponse::json() const {
  try {
    return parse_json_bounded(body);
  } catch (const JsonTooDeep& e) {
    throw Error(std::string("the engine's answer is refused: ") + e.what());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(std::string("the engine's answer is not JSON: ") + e.what());
  }
}

bool EngineClient::answers(const stdfs::path& root) {
  EngineClient c(root / daemon::kSocketFile);
  try {
    c.open();
    // A hung engine must not hang the CLI: the probe gives up after 5 s.
    timeval tv{5, 0};
    ::setsockopt(c.fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return c.request("GET", "/_ping").status == 200;
  } catch (const Error&) {
    return false;
  }
}

void EngineClient::open() {
  int err = 0;
  fd_ = connect_unix(socket_, err);
  if (!fd_) throw SystemError("connect to the engine at " + socket_.string(), err);
}

EngineClient EngineClient::connect(const stdfs::path& root_arg, ConnectOptions options) {
  const stdfs::path root = stdfs::absolute(root_arg);  // the engine runs from "/"
  if (answers(root)) {
    EngineClient c(root / daemon::kSocketFile);
    c.open();
    return c;
  }
  if (!options.start_if_needed) throw Error("no engine answers on " + (root / daemon::kSocketFile).string());
  state_root::ensure(root);
  stdfs::path log = root / daemon::kLogFile;
  // Everything the child needs is made before the fork (no allocation after it).
  const std::string program = engine_program(), root_s = root.string();
  const char* const argv[] = {"mycompose", "engine", "--root", root_s.c_str(), nullptr};
  pid_t pid = ::fork();
  if (pid < 0) throw SystemError("fork to start the engine", errno);
  if (pid == 0) {
    // Detached: its own session (no terminal signals), stdio to engine.log, no fds of ours,
    // and no hold on the caller's working folder (a project folder may be removed).
    ::setsid();
    if (::chdir("/") != 0) _exit(127);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
    int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
    }
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    ::syscall(SYS_close_range, 3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    exec_engine_program(program, argv);
    _exit(127);
  }
  // Poll with backoff until it answers: 1 ms doubling to 100 ms.
  auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  std::chrono::milliseconds wait{1};
  bool exited = false;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (answers(root)) {
      EngineClient c(root / daemon::kSocketFile);
      c.open();
      c.started_engine_ = !exited;
      return c;
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      // Refused because another engine (another CLI started it at the same time) holds the
      // root: keep asking that one. Any other failure is final.
      if (!other_engine_holds(root, pid)) break;
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::milliseconds(100));
  }
  if (exited && answers(root)) {
    EngineClient c(root / daemon::kSocketFile);
    c.open();
    return c;
  }
  std::string why = exited ? (WIFEXITED(status) ? "it exited with status " + std::to_string(WEXITSTATUS(status))
                                                : "it was killed by signal " + std::to_string(WTERMSIG(status)))
                           : "it did not answer within " + std::to_string(options.start_timeout.count()) + " ms";
  std::string tail = tail_lines(log, 10);
  throw Error("cannot start the engine for " + root.string() + ": " + why + "; last lines of " + log.string() + ":\n" +
              (tail.empty() ? "(empty)" : tail));
}

std::string EngineClient::encode(std::string_view method, std::string_view target, const json* body) const {
  std::string req;
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: mycompose\r\n");
  if (body && !body->is_null()) {
    std::string b = body->dump();
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
  } else {
    req += "\r\n";
  }
  return req;
}

void EngineClient::send_all(const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd_.get(), data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError("write to the engine at " + socket_.string(), errno);
    off += static_cast<std::size_t>(n);
  }
}

EngineResponse EngineClient::request(std::string_view method, std::string_view target, const json* body) {
  std::string req = encode(method, target, body);
  // A kept-alive connection the engine has since closed fails before any answer byte:
  // reconnect once and send again.
  for (int attempt = 0;; ++attempt) {
    if (!fd_) open();
    bool any = false;
    try {
      send_all(req);
      EngineResponse r = read_response(fd_.get(), socket_, method == "HEAD", nullptr, &any);
      const std::string* conn = nullptr;
      for (const auto& [k, v] : r.headers)
        if (strcasecmp(k.c_str(), "Connection") == 0) conn = &v;
      if (conn && strcasecmp(conn->c_str(), "close") == 0) fd_.reset();
      return r;
    } catch (const Error&) {
      fd_.reset();
      if (any || attempt > 0) throw;
    }
  }
}

json EngineClient::call(std::string_view method, std::string_view target, const json& body) {
  EngineResponse r = request(method, target, body.is_null() ? nullptr : &body);
  if (r.status >= 400) throw Error("engine: " + engine_message(r));
  if (r.status == 204 || r.body.empty()) return nullptr;
  return r.json();
}

int EngineClient::stream(std::string_view method, std::string_view target, const std::function<bool(const json&)>& on_line,
                         const json* body) {
  if (!fd_) open();
  send_all(encode(method, target, body));
  std::string pending;
  bool stop = false;
  std::string error_body;
  // The status is known before the body: lines are only parsed on success.
  http::Limits limits;
  limits.max_body_bytes = 1ull << 32;
  http::Parser parser(http::Parser::Kind::Response, limits);
  parser.on_body([&](std::string_view bytes) {
    if (parser.message().status >= 400) {  // set before any body byte arrives
      error_body.append(bytes);
      return;
    }
    if (stop) return;
    pending.append(bytes);
    std::size_t start = 0, nl;
    while (!stop && (nl = pending.find('\n', start)) != std::string::npos) {
      std::string_view line(pending.data() + start, nl - start);
      start = nl + 1;
      if (line.empty()) continue;
      json j;
      try {
        j = parse_json_bounded(line);
      } catch (const JsonTooDeep& e) {
        throw Error(std::string("the engine streamed a line that is refused: ") + e.what());
      } catch (const json::parse_error& e) {
        throw Error(std::string("the engine streamed a line that is not JSON: ") + e.what());
      }
      if (!on_line(j)) stop = true;
    }
    pending.erase(0, start);
  });
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      fd_.reset();
      throw SystemError("read from the engine at " + socket_.string(), errno);
    }
    http::Parser::Result r = n == 0 ? parser.finish() : parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    if (r == http::Parser::Result::Error) {
      fd_.reset();
      throw Error("bad answer from the engine at " + socket_.string() + ": " + parser.error().message);
    }
    if (stop) {
      fd_.reset();  // the rest of the stream is not wanted
      return parser.message().status;
    }
    if (r == http::Parser::Result::Done) {
      int status = parser.message().status;
      if (!parser.message().keep_alive()) fd_.reset();
      if (status >= 400) {
        EngineResponse e;
        e.status = status;
        e.body = error_body;
        throw Error("engine: " + engine_message(e));
      }
      return status;
    }
  }
}

}  // namespace mycompose::cli
