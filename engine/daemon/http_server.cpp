// The API server on the libuv loop: one Connection per accepted client, one request at a
// time per connection (pipelined requests wait in the parser's buffer), keep-alive.
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <spdlog/spdlog.h>

#include "mycompose/daemon/server.hpp"

namespace mycompose::daemon {

namespace {
// A client that does not read its stream (events, logs) is dropped past this backlog
// instead of growing the engine's memory without bound.
constexpr std::size_t kMaxWriteBacklog = 8 * 1024 * 1024;

struct WriteReq {
  uv_write_t req;
  std::string data;
};

std::string status_line(int status) {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(http::reason_phrase(status)) + "\r\n";
}
}  // namespace

class Connection {
 public:
  Connection(HttpServer& server) : server_(server), parser_(http::Parser::Kind::Request, server.limits_) {
    uv_pipe_init(server.loop_, &pipe_, 0);
    pipe_.data = this;
  }

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&pipe_); }

  void start() {
    uv_read_start(stream(), on_alloc, on_read);
    reading_ = true;
  }

  // Writes bytes; returns false (and closes) when the client is gone or too slow.
  bool write(std::string data) {
    if (closing_) return false;
    if (uv_stream_get_write_queue_size(stream()) > kMaxWriteBacklog) {
      spdlog::warn("api: dropping a client that does not read its stream");
      close();
      return false;
    }
    auto* w = new WriteReq;
    w->data = std::move(data);
    w->req.data = this;
    uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    int rc = uv_write(&w->req, stream(), &buf, 1, [](uv_write_t* req, int status) {
      auto* wr = reinterpret_cast<WriteReq*>(req);
      delete wr;
      // A failed write (EPIPE) is seen by the read side as EOF/error; nothing to do here.
      (void)status;
    });
    if (rc < 0) {
      delete w;
      close();
      return false;
    }
    return true;
  }

  // The current response is complete: next request, or close.
  void response_done(bool keep_alive) {
    current_.reset();
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
    auto& conns = server_.connections_;
    conns.erase(std::remove(conns.begin(), conns.end(), this), conns.end());
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
  }

  bool keep_alive_for_current() const { return keep_alive_; }

  // Engine shutdown: an open stream gets its last chunk, so clients see a complete answer.
  void close_for_shutdown() {
    if (current_ && current_->state_ == Responder::State::Streaming) write("0\r\n\r\n");
    close();
  }

 private:
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
    buf->base = c->read_buf_;
    buf->len = sizeof c->read_buf_;
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

  void process(std::string_view data) {
    if (closing_) return;
    if (current_) {
      // Busy answering: keep what arrives (pipelining), but not without bound.
      parser_.feed(data);
      if (parser_.buffered() > server_.limits_.max_head_bytes && reading_) {
        uv_read_stop(stream());
        reading_ = false;
      }
      return;
    }
    http::Parser::Result r = parser_.feed(data);
    if (r == http::Parser::Result::NeedMore) return;
    if (r == http::Parser::Result::Error) {
      const auto& e = parser_.error();
      spdlog::info("api: bad request ({}): {}", e.status, e.message);
      close_after_response_ = true;
      std::string body = nlohmann::json{{"message", e.message}}.dump() + "\n";
      write(status_line(e.status) + "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: close\r\n\r\n" + body);
      shutdown_and_close();
      return;
    }
    dispatch();
  }

  void dispatch() {
    auto req = std::make_shared<Request>();
    req->msg = std::move(parser_.message());
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
  char read_buf_[64 * 1024];
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

HttpServer::HttpServer(uv_loop_t* loop, Router& router, http::Limits limits) : loop_(loop), router_(router), limits_(limits) {}

HttpServer::~HttpServer() { close(); }

void HttpServer::listen(const std::filesystem::path& socket_path, unsigned mode) {
  // libuv writes with write(2): a client that hung up must be an EPIPE, not a SIGPIPE that
  // ends the process.
  ::signal(SIGPIPE, SIG_IGN);
  if (socket_path.string().size() >= sizeof(sockaddr_un{}.sun_path))
    throw Error("socket path " + socket_path.string() + " is longer than a unix socket address allows (107 bytes)");
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
}

void HttpServer::on_connection(uv_stream_t* s, int status) {
  auto* self = static_cast<HttpServer*>(s->data);
  if (status < 0) {
    spdlog::warn("api: accept: {}", uv_strerror(status));
    return;
  }
  auto* c = new Connection(*self);
  if (uv_accept(s, c->stream()) < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(c->stream()), [](uv_handle_t* h) { delete static_cast<Connection*>(h->data); });
    return;
  }
  self->connections_.push_back(c);
  c->start();
}

void HttpServer::close() {
  if (listener_) {
    uv_close(reinterpret_cast<uv_handle_t*>(listener_), [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
    listener_ = nullptr;
  }
  auto conns = connections_;
  for (Connection* c : conns) c->close_for_shutdown();
  connections_.clear();
}

}  // namespace mycompose::daemon
