// TCP published ports: each accepted connection gets a connection to the container and the
// bytes are spliced both ways. Back-pressure: a side stops reading while the other side's
// write queue is above the high-water mark, and resumes once it drained to half of it.
// EOF on one side is passed on as a shutdown of the other (half-close), so protocols
// that close their sending side first still get their answer.
#include <cstdlib>
#include <set>

#include "port_forwarders.hpp"

namespace mycompose::net::ports {
namespace {

using uvutil::UvObject;

constexpr std::size_t kReadSize = 64 * 1024;

class TcpForwarder;

class TcpSplice : public UvObject {
 public:
  TcpSplice(TcpForwarder* owner, std::size_t high_water) : owner_(owner), high_water_(high_water) {}

  void start(uv_loop_t* loop, uv_stream_t* server, const sockaddr_storage& target);

 private:
  struct Side {
    uv_tcp_t tcp{};
    bool eof = false, paused = false, shut = false;
  };
  struct WriteReq {
    uv_write_t req;
    char* base;
    TcpSplice* splice;
    int from;
  };

  void on_close() override;
  uv_stream_t* stream(int i) { return reinterpret_cast<uv_stream_t*>(&sides_[i].tcp); }
  int index_of(uv_handle_t* h) const { return h == reinterpret_cast<const uv_handle_t*>(&sides_[0].tcp) ? 0 : 1; }

  static void alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
    *buf = uv_buf_init(static_cast<char*>(std::malloc(kReadSize)), kReadSize);
  }

  static void on_connect(uv_connect_t* req, int status) {
    auto* self = static_cast<TcpSplice*>(req->data);
    if (self->closing()) return;
    if (status < 0) return self->close();
    uv_tcp_nodelay(&self->sides_[1].tcp, 1);
    if (uv_read_start(self->stream(0), alloc, on_read) < 0 || uv_read_start(self->stream(1), alloc, on_read) < 0) self->close();
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* self = of<TcpSplice>(s);
    int from = self->index_of(reinterpret_cast<uv_handle_t*>(s));
    int to = 1 - from;
    if (n <= 0 || self->closing()) {
      std::free(buf->base);
      if (self->closing() || n == 0) return;
      if (n != UV_EOF) return self->close();  // reset or error: drop both sides
      self->sides_[from].eof = true;
      uv_read_stop(s);
      self->shutdown(to);
      return;
    }
    auto* w = new WriteReq{{}, buf->base, self, from};
    uv_buf_t out = uv_buf_init(buf->base, static_cast<unsigned>(n));
    if (uv_write(&w->req, self->stream(to), &out, 1, on_written) < 0) {
      std::free(w->base);
      delete w;
      return self->close();
    }
    if (self->sides_[to].tcp.write_queue_size > self->high_water_) {
      uv_read_stop(s);
      self->sides_[from].paused = true;
    }
  }

  static void on_written(uv_write_t* req, int status) {
    auto* w = reinterpret_cast<WriteReq*>(req);
    TcpSplice* self = w->splice;
    int from = w->from;
    std::free(w->base);
    delete w;
    if (self->closing()) return;
    if (status < 0) return self->close();
    Side& src = self->sides_[from];
    if (src.paused && self->sides_[1 - from].tcp.write_queue_size <= self->high_water_ / 2) {
      src.paused = false;
      if (uv_read_start(self->stream(from), alloc, on_read) < 0) self->close();
    }
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
  std::size_t high_water_;
  Side sides_[2];  // 0: the client on the host port, 1: the container
  uv_connect_t connect_{};
  uv_shutdown_t shutdown_[2]{};
};

class TcpForwarder : public UvObject {
 public:
  TcpForwarder(uv_loop_t* loop, const sockaddr_storage& target, const PortProxyOptions& options)
      : loop_(loop), target_(target), options_(options) {}

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
    bound_port = uvutil::port_of(reinterpret_cast<sockaddr*>(&bound));
    return 0;
  }

  void forget(TcpSplice* s) { splices_.erase(s); }

 private:
  void on_close() override {
    for (TcpSplice* s : std::set<TcpSplice*>(splices_)) s->close();
  }

  static void on_connection(uv_stream_t* server, int status) {
    auto* self = of<TcpForwarder>(server);
    if (self->closing() || status < 0) return;
    auto* splice = new TcpSplice(self, self->options_.write_high_water);
    self->splices_.insert(splice);
    splice->start(self->loop_, server, self->target_);
  }

  uv_loop_t* loop_;
  sockaddr_storage target_;
  PortProxyOptions options_;
  uv_tcp_t server_{};
  std::set<TcpSplice*> splices_;
};

void TcpSplice::on_close() { owner_->forget(this); }

void TcpSplice::start(uv_loop_t* loop, uv_stream_t* server, const sockaddr_storage& target) {
  if (uv_tcp_init(loop, &sides_[0].tcp) < 0) return close();
  adopt(&sides_[0].tcp);
  if (uv_accept(server, stream(0)) < 0) return close();
  uv_tcp_nodelay(&sides_[0].tcp, 1);
  if (uv_tcp_init(loop, &sides_[1].tcp) < 0) return close();
  adopt(&sides_[1].tcp);
  connect_.data = this;
  // The client is read only once the container side is connected.
  if (uv_tcp_connect(&connect_, &sides_[1].tcp, reinterpret_cast<const sockaddr*>(&target), on_connect) < 0) close();
}

}  // namespace

uvutil::UvObject* open_tcp_forwarder(uv_loop_t* loop, const sockaddr_storage& host, const sockaddr_storage& target,
                                     const PortProxyOptions& options, int& err, std::uint16_t& bound_port) {
  auto* f = new TcpForwarder(loop, target, options);
  err = f->open(host, bound_port);
  if (err < 0) {
    f->close();
    return nullptr;
  }
  return f;
}

}  // namespace mycompose::net::ports
