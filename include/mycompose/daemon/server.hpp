#pragma once
// The engine's HTTP/1.1 + JSON API on a unix socket, served from the libuv loop: a routing
// table "METHOD /path/{param}" → handler. Handlers answer now or later (keep the Responder)
// and may stream: chunked transfer of newline-delimited JSON for progress, logs and events.
#include <uv.h>

#include <cstddef>
#include <cstdint>
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
  // Answer bytes queued for the client and not yet taken by it. A stream that can wait
  // (a log follower reads the rest from the log file later) stops sending past a few
  // hundred KB and goes on when on_drain's callback runs: the backlog has fallen to
  // kDrainedBacklog after the client read.
  std::size_t backlog() const;
  static constexpr std::size_t kDrainedBacklog = 32 << 10;
  void on_drain(std::function<void()> cb) { on_drain_ = std::move(cb); }

 private:
  friend class Connection;
  enum class State { None, Streaming, Done };
  void detach();  // the connection is going away
  Connection* conn_;
  State state_ = State::None;
  std::function<void()> on_close_;
  std::function<void()> on_drain_;
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

// Bounds that keep the API from being a way to exhaust the engine: a client gets a
// connection only while the engine has descriptors to spare for its own work, and holds it
// only while it uses it.
struct ServerLimits {
  std::size_t max_connections = 1024;  // lowered to fit the descriptor limit
  std::size_t fd_reserve = 256;        // descriptors never given to API connections
  // A connection with no request being answered is closed after this long without a
  // complete request: an idle keep-alive, or a request that trickles in (slowloris).
  std::uint64_t idle_timeout_ms = 30'000;
  // Bytes queued for a client that does not read (a stream: logs -f, events): past
  // per_connection the client is dropped; past total (all clients), any client with more
  // than fair_share queued is. Log streams hold themselves below fair_share (backlog()).
  std::size_t write_backlog_per_connection = 8 << 20;
  std::size_t write_backlog_total = 64 << 20;
  std::size_t write_backlog_fair_share = 256 << 10;
  // A client with bytes queued that takes none of them for this long is dropped (a reader
  // that is stuck for good; a slow one makes progress).
  std::uint64_t write_stall_timeout_ms = 300'000;
  // Request bytes held by all connections (heads and bodies being received): past total, the
  // connections that have held an unfinished request longest are closed, and a connection
  // still holding more than fair_share is answered 503.
  std::size_t input_total = 16 << 20;
  std::size_t input_fair_share = 1 << 20;
};

class HttpServer {
 public:
  HttpServer(uv_loop_t* loop, Router& router, http::Limits limits = {}, ServerLimits server_limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;

  // Binds (replacing a stale socket file), sets the mode, listens. Throws SystemError.
  // Ignores SIGPIPE process-wide (a client hanging up is a write error, not a signal).
  void listen(const std::filesystem::path& socket_path, unsigned mode);
  // Stops accepting and closes every connection (open streams see on_close).
  void close();
  std::size_t connection_count() const { return connections_.size(); }

  // What the bounds did, for /info.
  struct Stats {
    std::size_t max_connections = 0;  // the cap in force
    std::uint64_t refused = 0;     // new connections closed at once: no room
    std::uint64_t evicted = 0;     // idle connections closed to admit a new one
    std::uint64_t timed_out = 0;   // idle past idle_timeout_ms
    std::uint64_t dropped = 0;     // clients that did not read, or sent past the input budget
    std::size_t write_backlog = 0; // bytes queued now, all connections
    std::size_t input_held = 0;    // request bytes held now
  };
  Stats stats() const;

 private:
  friend class Connection;
  static void on_connection(uv_stream_t* server, int status);
  void refresh_fd_limit();
  void admit(Connection* c);
  bool make_room();  // closes the longest-idle connection; false if every one is busy
  void shed_input(Connection* keep);  // closes the oldest unfinished requests past the input budget
  void sweep();      // idle timeouts
  uv_loop_t* loop_;
  Router& router_;
  http::Limits limits_;
  ServerLimits server_limits_;
  uv_pipe_t* listener_ = nullptr;
  uv_timer_t* sweeper_ = nullptr;
  std::vector<Connection*> connections_;
  int fd_limit_ = 0;
  std::size_t fd_reserve_ = 0;
  Stats stats_;
  std::uint64_t last_accept_warning_ms_ = 0;
  std::size_t peak_connections_ = 0;
  // Every connection reads into this one buffer: libuv calls alloc and read back to back,
  // and the parser copies what it keeps (64 KB each made 2,000 idle clients cost 128 MB).
  char read_buf_[64 * 1024];
};

}  // namespace mycompose::daemon
