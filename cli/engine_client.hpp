#pragma once
// The CLI side of the engine socket: connect (starting the engine on demand), JSON
// requests and streamed newline-delimited JSON. Blocking: the CLI does one thing at a time.
// It speaks HTTP/1.1 through the engine's own parser: cpp-httplib 0.11's client cannot
// connect to a unix socket.
#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mycompose/common/unique_fd.hpp"

namespace mycompose::cli {

struct EngineResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  nlohmann::json json() const;  // the body parsed; throws Error naming the request if it is not JSON
};

// The engine program, installed beside the running CLI (mycompose-engine).
std::string engine_program();
// Replaces this process with the engine of `root` in the foreground (ps shows
// `mycompose engine --root <root>`). Returns only if the exec fails.
void exec_engine(const std::filesystem::path& root, const std::string& log_level = "");

struct ConnectOptions {
  bool start_if_needed = true;
  std::chrono::milliseconds start_timeout{10000};
};

class EngineClient {
 public:
  // Connects to <root>/engine.sock. If nothing answers and start_if_needed, starts
  // the engine of <root> detached (new session, output to engine.log) and waits
  // for its socket; throws Error quoting the end of engine.log if it does not come up.
  static EngineClient connect(const std::filesystem::path& root, ConnectOptions options = {});
  // Whether an engine answers /_ping on this root (never starts one).
  static bool answers(const std::filesystem::path& root);

  EngineResponse request(std::string_view method, std::string_view target, const nlohmann::json* body = nullptr);
  // request() for JSON APIs: a status >= 400 throws Error with the engine's message.
  nlohmann::json call(std::string_view method, std::string_view target, const nlohmann::json& body = nullptr);
  // A streaming request: on_line gets each JSON line until the stream ends or it returns
  // false (the connection is then dropped). Returns the HTTP status; an error status throws
  // as call() does.
  int stream(std::string_view method, std::string_view target, const std::function<bool(const nlohmann::json&)>& on_line,
             const nlohmann::json* body = nullptr);

  bool started_engine() const { return started_engine_; }  // this connect() started it
  const std::filesystem::path& socket_path() const { return socket_; }

 private:
  explicit EngineClient(std::filesystem::path socket) : socket_(std::move(socket)) {}
  void open();
  std::string encode(std::string_view method, std::string_view target, const nlohmann::json* body) const;
  void send_all(const std::string& data);

  std::filesystem::path socket_;
  UniqueFd fd_;
  bool started_engine_ = false;
};

}  // namespace mycompose::cli
