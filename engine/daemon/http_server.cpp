// The API server on the libuv loop: one Connection per accepted client, one request at a
// time per connection (pipelined requests wait in the parser's buffer), keep-alive. Every
// count and buffer is bounded (ServerLimits in server.hpp).
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <spdlog/spdlog.h>

#include "mycompose/daemon/server.hpp"

namespace mycompose::daemon {

namespace {

struct WriteReq {
  uv_write_t req;
  std::string data;
};

std::string status_line(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(http::reason_phrase(status)) + "\r\n";
}

std::string error_response(int status, const std::string& message) {
  std::string body = nlohmann::json{{"message", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return status_line(status) + "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}
}  // namespace

class Connection {
 public:
  Connection(HttpServer& server) : server_(server), parser_(http::Parser::Kind::Request, server.limits_) {
    uv_pipe_init(server.loop_, &pipe_, 0);
    pipe_.data = this;
    idle_since_ms_ = uv_now(server.loop_);
  }

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&pipe_); }

  void start() {
    uv_read_start(stream(), on_alloc, on_read);
    reading_ = true;
  }

  // Writes bytes; returns false (and closes) when the client is gone or too slow.
  bool write(std::string data) {
    if (closing_) return false;
    const ServerLimits& lim = server_.server_limits_;
    if (queued_ > lim.write_backlog_per_connection ||
        (server_.stats_.write_backlog > lim.write_backlog_total && queued_ > lim.write_backlog_fair_share)) {
      spdlog::warn("api: dropping a client that does not read its answer ({} bytes queued for it, {} for all)", queued_,
                   server_.stats_.write_backlog);
      ++server_.stats_.dropped;
      close();
      return false;
    }
    auto* w = new WriteReq;
    w->data = std::move(data);
    w->req.data = this;
    uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    int rc = uv_write(&w->req, stream(), &buf, 1, [](uv_write_t* req, int status) {
      auto* wr = reinterpret_cast<WriteReq*>(req);
      // Called before the connection's close callback, even for a cancelled write.
      auto* c = static_cast<Connection*>(wr->req.data);
      c->count_queued();
      delete wr;
      if (status == 0) c->written();
      // A failed write (EPIPE) is seen by the read side as EOF/error; nothing to do here.
      (void)status;
    });
    if (rc < 0) {
      delete w;
      close();
      return false;
    }
    count_queued();
    return true;
  }

  // The current response is complete: next request, or close.
  void response_done(bool keep_alive) {
    current_.reset();
    idle_since_ms_ = uv_now(server_.loop_);
    if (!keep_alive || close_after_response_) {
      shutdown_and_close();
      return;
    }
    parser_.reset();
    if (!reading_) start();
    // A pipelined request may already be buffered.
    process(std::string_view());
  }

  void close() {
    if (closing_) return;
    closing_ = true;
    if (current_) {
      auto r = std::move(current_);
      r->detach();
    }
    server_.stats_.input_held -= held_;
    held_ = 0;
    auto& conns = server_.connections_;
    conns.erase(std::remove(conns.begin(), conns.end(), this), conns.end());
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), [](uv_handle_t* h) {
      auto* c = static_cast<Connection*>(h->data);
      c->server_.stats_.write_backlog -= c->queued_;
      delete c;
    });
  }

  bool keep_alive_for_current() const { return keep_alive_; }
  std::size_t queued() const { return queued_; }
  // Bytes queued and none taken by the client since this loop time.
  bool stalled(std::uint64_t now, std::uint64_t timeout) const { return queued_ > 0 && now - progress_ms_ >= timeout; }
  // A request is being answered (a handler, a worker or a stream holds the Responder).
  bool busy() const { return current_ != nullptr; }
  bool closing() const { return closing_; }
  std::size_t held() const { return held_; }
  std::uint64_t idle_since_ms() const { return idle_since_ms_; }

  // Engine shutdown: an open stream gets its last chunk, so clients see a complete answer.
  void close_for_shutdown() {
    if (current_ && current_->state_ == Responder::State::Streaming) write("0\r\n\r\n");
    close();
  }

 private:
  // A write reached the client: a stream waiting for room may go on.
  void written() {
    progress_ms_ = uv_now(server_.loop_);
    if (closing_ || !current_ || !current_->on_drain_ || queued_ > Responder::kDrainedBacklog) return;
    auto keep = current_;  // the callback may end the answer
    keep->on_drain_();
  }

  // The server's running total follows this connection's unsent bytes.
  void count_queued() {
    const std::size_t now = uv_stream_get_write_queue_size(stream());
    if (queued_ == 0 && now > 0) progress_ms_ = uv_now(server_.loop_);  // the stall clock starts
    server_.stats_.write_backlog += now;
    server_.stats_.write_backlog -= queued_;
    queued_ = now;
  }

  // Request bytes this connection holds (unparsed, and a body being received).
  void count_held() {
    const std::size_t now = parser_.buffered() + parser_.message().body.size();
    server_.stats_.input_held += now;
    server_.stats_.input_held -= held_;
    held_ = now;
  }

  // Flush queued writes, then close (uv_shutdown waits for them).
  void shutdown_and_close() {
    if (closing_) return;
    auto* req = new uv_shutdown_t;
    req->data = this;
    if (uv_shutdown(req, stream(), [](uv_shutdown_t* r, int) {
          auto* c = static_cast<Connection*>(r->data);
          delete r;
          c->close();
        }) < 0) {
      delete req;
      close();
    }
    if (reading_) {
      uv_read_stop(stream());
      reading_ = false;
    }
  }

  static void on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
    auto* c = static_cast<Connection*>(h->data);
    buf->base = c->server_.read_buf_;
    buf->len = sizeof c->server_.read_buf_;
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* c = static_cast<Connection*>(s->data);
    if (n < 0) {  // EOF or error: the client is gone (a stream's on_close fires)
      c->close();
      return;
    }
    if (n == 0) return;
    c->process(std::string_view(buf->base, static_cast<std::size_t>(n)));
  }

  // Answers and closes: the request cannot be served.
  void refuse(int status, const std::string& message) {
    close_after_response_ = true;
    write(error_response(status, message));
    shutdown_and_close();
  }

  // Past the engine's budget for request bytes, the connections that have held an unfinished
  // request longest are closed; this one is refused only if it is the big holder left.
  bool over_input_budget() {
    const ServerLimits& lim = server_.server_limits_;
    if (server_.stats_.input_held <= lim.input_total) return false;
    server_.shed_input(this);
    if (server_.stats_.input_held <= lim.input_total || held_ <= lim.input_fair_share) return false;
    spdlog::warn("api: refusing a request of {}+ bytes: clients hold {} request bytes", held_, server_.stats_.input_held);
    ++server_.stats_.dropped;
    if (reading_) {
      uv_read_stop(stream());
      reading_ = false;
    }
    refuse(503, "the engine is busy receiving other requests: try again");
    return true;
  }

  void process(std::string_view data) {
    if (closing_) return;
    if (current_) {
      // Busy answering: keep what arrives (pipelining), but not without bound.
      parser_.feed(data);
      count_held();
      if (parser_.buffered() > server_.limits_.max_head_bytes && reading_) {
        uv_read_stop(stream());
        reading_ = false;
      }
      return;
    }
    http::Parser::Result r = parser_.feed(data);
    count_held();
    if (r == http::Parser::Result::NeedMore) {
      over_input_budget();
      return;
    }
    if (r == http::Parser::Result::Error) {
      const auto& e = parser_.error();
      spdlog::info("api: bad request ({}): {}", e.status, e.message);
      refuse(e.status, e.message);
      return;
    }
    dispatch();
  }

  void dispatch() {
    auto req = std::make_shared<Request>();
    req->msg = std::move(parser_.message());
    count_held();
    keep_alive_ = req->msg.keep_alive();
    current_ = std::make_shared<Responder>(this);
    auto responder = current_;
    std::string path = req->msg.path();
    spdlog::debug("api: {} {}", req->msg.method, req->msg.target);
    Router::Match m = server_.router_.match(req->msg.method, path);
    if (!m.handler) {
      responder->reply_error(m.status, m.status == 405 ? "method " + req->msg.method + " not allowed on " + path
                                                       : "no such endpoint: " + req->msg.method + " " + path);
      return;
    }
    req->params = std::move(m.params);
    try {
      (*m.handler)(*req, responder);
    } catch (const HttpError& e) {
      if (!responder->answered()) responder->reply_error(e.status(), e.what());
    } catch (const std::exception& e) {
      spdlog::error("api: {} {}: {}", req->msg.method, req->msg.target, e.what());
      if (!responder->answered()) responder->reply_error(500, e.what());
      else if (!responder->closed()) responder->end_stream();
    }
  }

  HttpServer& server_;
  uv_pipe_t pipe_;
  http::Parser parser_;
  std::shared_ptr<Responder> current_;
  bool keep_alive_ = true;
  bool close_after_response_ = false;
  bool reading_ = false;
  bool closing_ = false;
  std::uint64_t idle_since_ms_ = 0;  // loop time of the accept, or of the last answer's end
  std::size_t queued_ = 0;           // unsent answer bytes (counted in the server's total)
  std::size_t held_ = 0;             // request bytes held (counted in the server's total)
  std::uint64_t progress_ms_ = 0;    // loop time a queued write last reached the client
};

// --- Responder ---

void Responder::detach() {
  conn_ = nullptr;
  if (state_ != State::Done && on_close_) {
    auto cb = std::move(on_close_);
    cb();
  }
  on_close_ = nullptr;
}

std::size_t Responder::backlog() const { return conn_ ? conn_->queued() : 0; }

void Responder::reply_text(int status, std::string_view body, std::string_view content_type) {
  if (state_ != State::None || !conn_) return;
  state_ = State::Done;
  Connection* c = conn_;
  bool keep = c->keep_alive_for_current();
  std::string out = status_line(status);
  if (!content_type.empty() && status != 204 && status != 304) {
    out += "Content-Type: ";
    out += content_type;
    out += "\r\n";
  }
  if (status != 204 && status != 304) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += keep ? "" : "Connection: close\r\n";
  out += "\r\n";
  out += body;
  if (c->write(std::move(out))) c->response_done(keep);
}

void Responder::reply(int status, const nlohmann::json& body) {
  reply_text(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "application/json");
}

void Responder::reply_error(int status, const std::string& message) { reply(status, nlohmann::json{{"message", message}}); }

void Responder::reply_empty(int status) { reply_text(status, "", ""); }

void Responder::start_stream(int status, std::string_view content_type) {
  if (state_ != State::None || !conn_) return;
  state_ = State::Streaming;
  std::string out = status_line(status);
  out += "Content-Type: ";
  out += content_type;
  out += "\r\nTransfer-Encoding: chunked\r\n";
  if (!conn_->keep_alive_for_current()) out += "Connection: close\r\n";
  out += "\r\n";
  conn_->write(std::move(out));
}

bool Responder::send_chunk(std::string_view data) {
  if (state_ != State::Streaming || !conn_) return false;
  if (data.empty()) return true;  // an empty chunk would end the stream
  char size[32];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out(size, static_cast<std::size_t>(n));
  out += data;
  out += "\r\n";
  return conn_->write(std::move(out));
}

// error_handler replace: a message with bad UTF-8 (a process's output) must not throw here.
bool Responder::send_line(const nlohmann::json& j) {
  return send_chunk(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void Responder::end_stream() {
  if (state_ != State::Streaming || !conn_) return;
  state_ = State::Done;
  Connection* c = conn_;
  bool keep = c->keep_alive_for_current();
  if (c->write("0\r\n\r\n")) c->response_done(keep);
}

// --- HttpServer ---

HttpServer::HttpServer(uv_loop_t* loop, Router& router, http::Limits limits, ServerLimits server_limits)
    : loop_(loop), router_(router), limits_(limits), server_limits_(server_limits) {}

HttpServer::~HttpServer() { close(); }

void HttpServer::listen(const std::filesystem::path& socket_path, unsigned mode) {
  // libuv writes with write(2): a client that hung up must be an EPIPE, not a SIGPIPE that
  // ends the process.
  ::signal(SIGPIPE, SIG_IGN);
  if (socket_path.string().size() >= sizeof(sockaddr_un{}.sun_path))
    throw Error("socket path " + socket_path.string() + " is longer than a unix socket address allows (107 bytes)");
  refresh_fd_limit();
  // Only one engine per root holds engine.pid, so a socket file here is a stale one.
  if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) throw SystemError("unlink " + socket_path.string(), errno);
  listener_ = new uv_pipe_t;
  uv_pipe_init(loop_, listener_, 0);
  listener_->data = this;
  // No window where the socket exists with wider permissions than asked for.
  mode_t old = ::umask(0777 & ~mode);
  int rc = uv_pipe_bind(listener_, socket_path.c_str());
  ::umask(old);
  if (rc < 0) throw SystemError("bind " + socket_path.string(), -rc);
  check_syscall(::chmod(socket_path.c_str(), mode), "chmod " + socket_path.string());
  rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 128, on_connection);
  if (rc < 0) throw SystemError("listen on " + socket_path.string(), -rc);
  sweeper_ = new uv_timer_t;
  uv_timer_init(loop_, sweeper_);
  sweeper_->data = this;
  uv_timer_start(sweeper_, [](uv_timer_t* t) { static_cast<HttpServer*>(t->data)->sweep(); }, 1000, 1000);
  uv_unref(reinterpret_cast<uv_handle_t*>(sweeper_));
}

void HttpServer::on_connection(uv_stream_t* s, int status) {
  auto* self = static_cast<HttpServer*>(s->data);
  if (status < 0) {
    // EMFILE: libuv has accepted and closed the waiting clients with its spare descriptor.
    const std::uint64_t now = uv_now(self->loop_);
    if (now - self->last_accept_warning_ms_ >= 1000) {
      spdlog::warn("api: accept: {}", uv_strerror(status));
      self->last_accept_warning_ms_ = now;
    }
    ++self->stats_.refused;
    return;
  }
  auto* c = new Connection(*self);
  if (uv_accept(s, c->stream()) < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(c->stream()), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  self->admit(c);
}

// Connections get at most half of the descriptors left after the reserve. Read again at each
// accept: an administrator may change the engine's limit while it runs (prlimit).
void HttpServer::refresh_fd_limit() {
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0) return;
  const int limit = static_cast<int>(std::min<rlim_t>(nofile.rlim_cur, 1 << 30));
  if (limit == fd_limit_) return;
  fd_limit_ = limit;
  fd_reserve_ = std::min<std::size_t>(server_limits_.fd_reserve, static_cast<std::size_t>(fd_limit_) / 4);
  const std::size_t spare = (static_cast<std::size_t>(fd_limit_) - fd_reserve_) / 2;
  stats_.max_connections = std::max<std::size_t>(8, std::min(server_limits_.max_connections, spare));
}

// Descriptors are handed out lowest first, so a high number means few are left: past the
// reserve's edge, or the connection cap, an idle client makes way, else the new one goes.
void HttpServer::admit(Connection* c) {
  refresh_fd_limit();
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<uv_handle_t*>(c->stream()), &fd);
  const bool scarce = fd >= fd_limit_ - static_cast<int>(fd_reserve_);
  if ((scarce || connections_.size() >= stats_.max_connections) && !make_room()) {
    ++stats_.refused;
    const std::uint64_t now = uv_now(loop_);
    if (now - last_accept_warning_ms_ >= 1000) {
      spdlog::warn("api: refusing a connection: {} connections are all answering requests{}", connections_.size(),
                   scarce ? " and descriptors are scarce" : "");
      last_accept_warning_ms_ = now;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(c->stream()), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  connections_.push_back(c);
  c->start();
}

bool HttpServer::make_room() {
  Connection* oldest = nullptr;
  for (Connection* c : connections_)
    if (!c->busy() && !c->closing() && (!oldest || c->idle_since_ms() < oldest->idle_since_ms())) oldest = c;
  if (!oldest) return false;
  ++stats_.evicted;
  oldest->close();
  return true;
}

void HttpServer::shed_input(Connection* keep) {
  while (stats_.input_held > server_limits_.input_total) {
    Connection* oldest = nullptr;
    for (Connection* c : connections_)
      if (c != keep && !c->busy() && !c->closing() && c->held() > 0 && (!oldest || c->idle_since_ms() < oldest->idle_since_ms()))
        oldest = c;
    if (!oldest) return;
    ++stats_.dropped;
    oldest->close();
  }
}

void HttpServer::sweep() {
  const std::uint64_t now = uv_now(loop_);
  std::vector<Connection*> expired;
  for (Connection* c : connections_)
    if (!c->busy() && !c->closing() && now - c->idle_since_ms() >= server_limits_.idle_timeout_ms) expired.push_back(c);
  for (Connection* c : expired) c->close();
  stats_.timed_out += expired.size();
  std::vector<Connection*> stuck;
  for (Connection* c : connections_)
    if (!c->closing() && c->stalled(now, server_limits_.write_stall_timeout_ms)) stuck.push_back(c);
  for (Connection* c : stuck) {
    spdlog::warn("api: dropping a client that took none of its {} queued bytes for {} s", c->queued(),
                 server_limits_.write_stall_timeout_ms / 1000);
    ++stats_.dropped;
    c->close();
  }
  // After a flood, give the freed buffers back to the system once things are calm again.
  if (connections_.size() > peak_connections_) peak_connections_ = connections_.size();
  if (peak_connections_ >= 64 && connections_.size() < 16) {
    peak_connections_ = 0;
    malloc_trim(0);
  }
}

HttpServer::Stats HttpServer::stats() const { return stats_; }

void HttpServer::close() {
  if (sweeper_) {
    uv_timer_stop(sweeper_);
    uv_close(reinterpret_cast<uv_handle_t*>(sweeper_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    sweeper_ = nullptr;
  }
  if (listener_) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_), [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
    listener_ = nullptr;
  }
  auto conns = connections_;
  for (Connection* c : conns) c->close_for_shutdown();
  connections_.clear();
}

}  // namespace mycompose::daemon
