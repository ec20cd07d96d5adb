#pragma once
// The engine's HTTP/1.1 + JSON API on a unix socket, served from the libuv loop: a routing
// table "METHOD /path/{param}" → handler. Handlers answer now or later (keep the Responder)
// and may stream: chunked transfer of newline-delimited JSON for progress, logs and events.
#include <uv.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mycompose/common/error.hpp"
#include "mycompose/daemon/http.hpp"

namespace mycompose::daemon {

// Thrown by a handler: answered as {"message": what()} with this status.
class HttpError : public Error {
 public:
  HttpError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

struct Request {
  http::Message msg;
  std::map<std::string, std::string> params;  // the {name} parts of the route

  const std::string& method() const { return msg.method; }
  const std::string& param(const std::string& name) const;  // throws if the route has none
  std::string query(std::string_view key) const { return msg.query(key); }
  // The body as JSON ({} when empty); a body that is not JSON is a 400.
  nlohmann::json json_body() const;
};

class Connection;

// The answer to one request. Valid after the handler returns; once the client has gone,
// every call is a no-op and closed() is true.
class Responder {
 public:
  explicit Responder(Connection* c) : conn_(c) {}
  Responder(const Responder&) = delete;

  void reply(int status, const nlohmann::json& body);
  void reply_text(int status, std::string_view body, std::string_view content_type = "text/plain; charset=utf-8");
  void reply_error(int status, const std::string& message);  // {"message": ...}
  void reply_empty(int status = 204);

  // Streaming: headers now, then one chunk per send; end_stream() finishes the message.
  void start_stream(int status = 200, std::string_view content_type = "application/x-ndjson");
  bool send_line(const nlohmann::json& j);  // one NDJSON line; false once the client is gone
  bool send_chunk(std::string_view data);
  void end_stream();

  bool closed() const { return conn_ == nullptr; }
  bool answered() const { return state_ != State::None; }
  // Called once if the connection goes away before the answer is complete (client hung up
  // on a stream, engine shutdown). Not called after a complete answer.
  void on_close(std::function<void()> cb) { on_close_ = std::move(cb); }

 private:
  friend class Connection;
  enum class State { None, Streaming, Done };
  void detach();  // the connection is going away
  Connection* conn_;
  State state_ = State::None;
  std::function<void()> on_close_;
};

using Handler = std::function<void(Request&, const std::shared_ptr<Responder>&)>;

class Router {
 public:
  // route: "GET /containers/{id}/logs". A later route with the same method and pattern
  // replaces the earlier one. Throws Error on a malformed route.
  void add(std::string_view route, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: status says why
    int status = 0;                    // 404 no such path, 405 path known but not the method
    std::map<std::string, std::string> params;
  };
  Match match(std::string_view method, std::string_view path) const;
  std::vector<std::string> routes() const;  // "METHOD /pattern", in the order added

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    Handler handler;
  };
  std::vector<Route> routes_;
};

class HttpServer {
 public:
  HttpServer(uv_loop_t* loop, Router& router, http::Limits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;

  // Binds (replacing a stale socket file), sets the mode, listens. Throws SystemError.
  // Ignores SIGPIPE process-wide (a client hanging up is a write error, not a signal).
  void listen(const std::filesystem::path& socket_path, unsigned mode);
  // Stops accepting and closes every connection (open streams see on_close).
  void close();
  std::size_t connection_count() const { return connections_.size(); }

 private:
  friend class Connection;
  static void on_connection(uv_stream_t* server, int status);
  uv_loop_t* loop_;
  Router& router_;
  http::Limits limits_;
  uv_pipe_t* listener_ = nullptr;
  std::vector<Connection*> connections_;
};

}  // namespace mycompose::daemon
