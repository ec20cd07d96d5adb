// TCP published ports: each accepted connection gets a connection to the container and the
// bytes are spliced both ways. EOF on one side is passed on as a shutdown of the other
// (half-close), so protocols that close their sending side first still get their answer.
//
// What the engine holds is bounded, whatever the clients do:
// - bytes: a read is written straight from one buffer shared by the port's connections when
//   the socket takes it; only what it does not take is copied and queued. A side is not read
//   while the other side's queue is above the high-water mark (or holds many small writes),
//   and is read again once that drained to half.
// - connections: per port and in all (TcpTotals); past a cap, or when descriptors run short
//   of the engine's reserve, a new connection is accepted and reset at once, so clients
//   learn it instead of waiting in the backlog.
// - time: a connection with no byte either way for tcp_idle_timeout is closed.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "mycompose/common/fd_budget.hpp"
#include "port_forwarders.hpp"

namespace mycompose::net::ports {
namespace {

using uvutil::UvObject;

constexpr std::size_t kReadSize = 64 * 1024;
// Queued writes per direction: a peer trickling single bytes must not pile up requests.
constexpr std::size_t kMaxQueuedWrites = 64;
// A refusal is logged once per port per this long (a flood must not flood the log).
constexpr std::uint64_t kRefusalLogEveryMs = 60000;

class TcpForwarder;

class TcpSplice : public UvObject {
 public:
  TcpSplice(TcpForwarder* owner, const PortProxyOptions& options) : owner_(owner), options_(options) {}

  void start(uv_loop_t* loop, uv_stream_t* server, const sockaddr_storage& target);

 private:
  struct Side {
    uv_tcp_t tcp{};
    bool eof = false, paused = false, shut = false;
    std::size_t queued_writes = 0;  // writes to this side not yet done
  };
  struct WriteReq {
    uv_write_t req;
    TcpSplice* splice;
    int to;
    std::string data;
  };

  void on_close() override;
  uv_stream_t* stream(int i) { return reinterpret_cast<uv_stream_t*>(&sides_[i].tcp); }
  int index_of(uv_handle_t* h) const { return h == reinterpret_cast<const uv_handle_t*>(&sides_[0].tcp) ? 0 : 1; }
  bool full(int to) const {
    return sides_[to].tcp.write_queue_size > options_.write_high_water || sides_[to].queued_writes >= kMaxQueuedWrites;
  }
  bool drained(int to) const {
    return sides_[to].tcp.write_queue_size <= options_.write_high_water / 2 && sides_[to].queued_writes < kMaxQueuedWrites / 2;
  }

  static void alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf);

  static void on_connect(uv_connect_t* req, int status) {
    auto* self = static_cast<TcpSplice*>(req->data);
    if (self->closing()) return;
    if (status < 0) return self->close();
    uv_tcp_nodelay(&self->sides_[1].tcp, 1);
    if (uv_read_start(self->stream(0), alloc, on_read) < 0 || uv_read_start(self->stream(1), alloc, on_read) < 0) self->close();
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* self = of<TcpSplice>(s);
    const int from = self->index_of(reinterpret_cast<uv_handle_t*>(s));
    const int to = 1 - from;
    if (self->closing() || n == 0) return;
    if (n < 0) {
      if (n != UV_EOF) return self->close();  // reset or error: drop both sides
      self->sides_[from].eof = true;
      uv_read_stop(s);
      self->shutdown(to);
      return;
    }
    self->last_active_ = uv_now(s->loop);
    uv_buf_t out = uv_buf_init(buf->base, static_cast<unsigned>(n));
    int written = 0;
    if (self->sides_[to].queued_writes == 0) {
      written = uv_try_write(self->stream(to), &out, 1);
      if (written == UV_EAGAIN) written = 0;
      if (written < 0) return self->close();
    }
    if (written < n) {
      auto* w = new WriteReq{{}, self, to, std::string(buf->base + written, static_cast<std::size_t>(n - written))};
      uv_buf_t rest = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
      if (uv_write(&w->req, self->stream(to), &rest, 1, on_written) < 0) {
        delete w;
        return self->close();
      }
      ++self->sides_[to].queued_writes;
    }
    if (self->full(to)) {
      uv_read_stop(s);
      self->sides_[from].paused = true;
    }
  }

  static void on_written(uv_write_t* req, int status) {
    auto* w = reinterpret_cast<WriteReq*>(req);
    TcpSplice* self = w->splice;
    const int to = w->to, from = 1 - w->to;
    delete w;
    --self->sides_[to].queued_writes;
    if (self->closing()) return;
    if (status < 0) return self->close();
    Side& src = self->sides_[from];
    if (src.paused && self->drained(to)) {
      src.paused = false;
      if (uv_read_start(self->stream(from), alloc, on_read) < 0) self->close();
    }
  }

  // Closes the connection once nothing moved for the idle timeout; re-armed for the rest.
  static void on_idle_check(uv_timer_t* t) {
    auto* self = of<TcpSplice>(t);
    if (self->closing()) return;
    const std::uint64_t timeout = static_cast<std::uint64_t>(self->options_.tcp_idle_timeout.count());
    const std::uint64_t idle = uv_now(t->loop) - self->last_active_;
    if (idle >= timeout) return self->close();
    uv_timer_start(t, on_idle_check, timeout - idle, 0);
  }

  void shutdown(int i) {
    shutdown_[i].data = this;
    if (uv_shutdown(&shutdown_[i], stream(i), [](uv_shutdown_t* req, int status) {
          auto* self = static_cast<TcpSplice*>(req->data);
          if (self->closing()) return;
          int i = req == &self->shutdown_[0] ? 0 : 1;
          self->sides_[i].shut = true;
          if (status < 0 || (self->sides_[0].shut && self->sides_[1].shut)) self->close();
        }) < 0)
      close();
  }

  TcpForwarder* owner_;
  const PortProxyOptions& options_;  // the forwarder's, which outlives its connections
  Side sides_[2];  // 0: the client on the host port, 1: the container
  uv_connect_t connect_{};
  uv_shutdown_t shutdown_[2]{};
  uv_timer_t idle_{};
  std::uint64_t last_active_ = 0;
};

class TcpForwarder : public UvObject {
 public:
  TcpForwarder(uv_loop_t* loop, const sockaddr_storage& target, const PortProxyOptions& options,
               std::shared_ptr<TcpTotals> totals)
      : loop_(loop), target_(target), options_(options), totals_(std::move(totals)) {}

  int open(const sockaddr_storage& host, std::uint16_t& bound_port) {
    int rc = uv_tcp_init(loop_, &server_);
    if (rc < 0) return rc;
    adopt(&server_);
    if ((rc = uv_tcp_bind(&server_, reinterpret_cast<const sockaddr*>(&host), 0)) < 0) return rc;
    // libuv may report a taken port only at listen().
    if ((rc = uv_listen(reinterpret_cast<uv_stream_t*>(&server_), 511, on_connection)) < 0) return rc;
    sockaddr_storage bound{};
    int len = sizeof bound;
    uv_tcp_getsockname(&server_, reinterpret_cast<sockaddr*>(&bound), &len);
    bound_port_ = bound_port = uvutil::port_of(reinterpret_cast<sockaddr*>(&bound));
    return 0;
  }

  void forget(TcpSplice* s) {
    if (splices_.erase(s)) --totals_->open;
  }
  char* buffer() { return buf_; }

 private:
  void on_close() override {
    for (TcpSplice* s : std::set<TcpSplice*>(splices_)) s->close();
  }

  static void on_connection(uv_stream_t* server, int status) {
    auto* self = of<TcpForwarder>(server);
    if (self->closing() || status < 0) return;  // EMFILE: libuv resets the waiting clients itself
    const char* why = self->splices_.size() >= self->options_.max_tcp_connections_per_port ? "the port's connection limit"
                      : self->totals_->open >= self->options_.max_tcp_connections            ? "the proxy's connection limit"
                      : !fd_budget::may_open(2)                                               ? "the descriptor reserve"
                                                                                              : nullptr;
    if (why) return self->refuse(server, why);
    auto* splice = new TcpSplice(self, self->options_);
    self->splices_.insert(splice);
    ++self->totals_->open;
    splice->start(self->loop_, server, self->target_);
  }

  // Accepts the waiting connection and resets it (the listener stalls until it accepts).
  void refuse(uv_stream_t* server, const char* why) {
    auto* conn = new uv_tcp_t;
    auto done = [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); };
    if (uv_tcp_init(loop_, conn) < 0) {
      delete conn;
      return;
    }
    if (uv_accept(server, reinterpret_cast<uv_stream_t*>(conn)) < 0 || uv_tcp_close_reset(conn, done) < 0)
      uv_close(reinterpret_cast<uv_handle_t*>(conn), done);
    const std::uint64_t now = uv_now(loop_);
    if (refusals_++ == 0 || now - last_refusal_log_ >= kRefusalLogEveryMs) {
      spdlog::warn("published port {}/tcp: refusing new connections at {} ({} open on the port, {} in all; {} refused so far)",
                   bound_port_, why, splices_.size(), totals_->open, refusals_);
      last_refusal_log_ = now;
    }
  }

  uv_loop_t* loop_;
  sockaddr_storage target_;
  PortProxyOptions options_;
  std::shared_ptr<TcpTotals> totals_;
  uv_tcp_t server_{};
  std::uint16_t bound_port_ = 0;
  std::set<TcpSplice*> splices_;
  std::uint64_t refusals_ = 0, last_refusal_log_ = 0;
  // One read buffer for every connection of the port: a read is written or copied within
  // its callback, before the loop reads the next.
  char buf_[kReadSize];
};

void TcpSplice::alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
  *buf = uv_buf_init(of<TcpSplice>(h)->owner_->buffer(), kReadSize);
}

void TcpSplice::on_close() { owner_->forget(this); }

void TcpSplice::start(uv_loop_t* loop, uv_stream_t* server, const sockaddr_storage& target) {
  // Both sockets above FD_SETSIZE (fd_budget::for_connection): the client's is accepted into
  // a scratch handle, moved, and opened in ours; the container side is made here for the same.
  auto* scratch = new uv_tcp_t;
  if (uv_tcp_init(loop, scratch) < 0) {
    delete scratch;
    return close();
  }
  uv_os_fd_t accepted = -1;
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(scratch)) == 0 && uv_fileno(reinterpret_cast<uv_handle_t*>(scratch), &accepted) == 0)
    accepted = ::fcntl(accepted, F_DUPFD_CLOEXEC, 0);
  uv_close(reinterpret_cast<uv_handle_t*>(scratch), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  const int client = fd_budget::for_connection(accepted);
  if (uv_tcp_init(loop, &sides_[0].tcp) < 0) {
    if (client >= 0) ::close(client);
    return close();
  }
  adopt(&sides_[0].tcp);
  if (client < 0 || uv_tcp_open(&sides_[0].tcp, client) < 0) {
    if (client >= 0) ::close(client);
    return close();
  }
  uv_tcp_nodelay(&sides_[0].tcp, 1);
  if (uv_tcp_init(loop, &sides_[1].tcp) < 0) return close();
  adopt(&sides_[1].tcp);
  const int upstream = fd_budget::for_connection(::socket(target.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (upstream < 0 || uv_tcp_open(&sides_[1].tcp, upstream) < 0) {
    if (upstream >= 0) ::close(upstream);
    return close();
  }
  last_active_ = uv_now(loop);
  if (options_.tcp_idle_timeout.count() > 0) {
    if (uv_timer_init(loop, &idle_) < 0) return close();
    adopt(&idle_);
    uv_timer_start(&idle_, on_idle_check, static_cast<std::uint64_t>(options_.tcp_idle_timeout.count()), 0);
  }
  connect_.data = this;
  // The client is read only once the container side is connected.
  if (uv_tcp_connect(&connect_, &sides_[1].tcp, reinterpret_cast<const sockaddr*>(&target), on_connect) < 0) close();
}

}  // namespace

uvutil::UvObject* open_tcp_forwarder(uv_loop_t* loop, const sockaddr_storage& host, const sockaddr_storage& target,
                                     const PortProxyOptions& options, std::shared_ptr<TcpTotals> totals, int& err,
                                     std::uint16_t& bound_port) {
  auto* f = new TcpForwarder(loop, target, options, std::move(totals));
  err = f->open(host, bound_port);
  if (err < 0) {
    f->close();
    return nullptr;
  }
  return f;
}

}  // namespace mycompose::net::ports
