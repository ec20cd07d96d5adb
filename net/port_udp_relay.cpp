// UDP published ports: each client address gets its own flow, a socket connected to the
// container, so the container's replies go back to that client. Flows with no traffic for
// the idle timeout are dropped by a sweep timer; past max_udp_flows the least recently
// used flow makes room (sources are cheap to spoof, sockets are not), and no flow is made
// when descriptors run short of the engine's reserve. Datagrams waiting for a socket past
// kMaxSendQueue are dropped, as a full link would.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "mycompose/common/fd_budget.hpp"
#include "port_forwarders.hpp"

namespace mycompose::net::ports {
namespace {

using uvutil::OwnedReq;
using uvutil::UvObject;

constexpr std::size_t kMaxSendQueue = 256 * 1024;

class UdpForwarder;

class UdpFlow : public UvObject {
 public:
  UdpFlow(UdpForwarder* owner, std::string key, const sockaddr_storage& client)
      : owner_(owner), key_(std::move(key)), client_(client) {}

  bool open(uv_loop_t* loop, const sockaddr_storage& target) {
    if (uv_udp_init(loop, &sock_) < 0) return false;
    adopt(&sock_);
    // Above FD_SETSIZE, as TCP connections (fd_budget::for_connection).
    const int fd = fd_budget::for_connection(::socket(target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd < 0) return false;
    if (uv_udp_open(&sock_, fd) < 0) {
      ::close(fd);
      return false;
    }
    if (uv_udp_connect(&sock_, reinterpret_cast<const sockaddr*>(&target)) < 0) return false;
    return uv_udp_recv_start(&sock_, alloc, on_reply) == 0;
  }

  void send(const char* data, std::size_t n, std::uint64_t use) {
    last_active_ = uv_now(sock_.loop);
    last_use_ = use;
    if (sock_.send_queue_size > kMaxSendQueue) return;
    auto* req = new OwnedReq<uv_udp_send_t>{{}, std::string(data, n)};
    uv_buf_t b = req->buf();
    if (uv_udp_send(&req->req, &sock_, &b, 1, nullptr, [](uv_udp_send_t* r, int) { delete reinterpret_cast<OwnedReq<uv_udp_send_t>*>(r); }) < 0)
      delete req;
  }

  std::uint64_t last_active() const { return last_active_; }
  std::uint64_t last_use() const { return last_use_; }

 private:
  void on_close() override;
  static void alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf);
  static void on_reply(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr*, unsigned);

  UdpForwarder* owner_;
  std::string key_;
  sockaddr_storage client_;
  uv_udp_t sock_{};
  std::uint64_t last_active_ = 0;
  std::uint64_t last_use_ = 0;  // order of the latest datagram from the client, for eviction
};

class UdpForwarder : public UvObject {
 public:
  UdpForwarder(uv_loop_t* loop, const sockaddr_storage& target, const PortProxyOptions& options)
      : loop_(loop), target_(target), options_(options) {}

  int open(const sockaddr_storage& host, std::uint16_t& bound_port) {
    int rc = uv_udp_init(loop_, &sock_);
    if (rc < 0) return rc;
    adopt(&sock_);
    if ((rc = uv_udp_bind(&sock_, reinterpret_cast<const sockaddr*>(&host), 0)) < 0) return rc;
    if ((rc = uv_udp_recv_start(&sock_, alloc, on_datagram)) < 0) return rc;
    if ((rc = uv_timer_init(loop_, &sweep_)) < 0) return rc;
    adopt(&sweep_);
    std::uint64_t every = std::max<std::uint64_t>(10, options_.udp_idle_timeout.count() / 2);
    uv_timer_start(&sweep_, on_sweep, every, every);
    uv_unref(reinterpret_cast<uv_handle_t*>(&sweep_));  // the sweep alone keeps no loop alive
    sockaddr_storage bound{};
    int len = sizeof bound;
    uv_udp_getsockname(&sock_, reinterpret_cast<sockaddr*>(&bound), &len);
    bound_port = uvutil::port_of(reinterpret_cast<sockaddr*>(&bound));
    return 0;
  }

  void reply_to(const sockaddr_storage& client, const char* data, std::size_t n) {
    if (sock_.send_queue_size > kMaxSendQueue) return;
    auto* req = new OwnedReq<uv_udp_send_t>{{}, std::string(data, n)};
    uv_buf_t b = req->buf();
    if (uv_udp_send(&req->req, &sock_, &b, 1, reinterpret_cast<const sockaddr*>(&client),
                    [](uv_udp_send_t* r, int) { delete reinterpret_cast<OwnedReq<uv_udp_send_t>*>(r); }) < 0)
      delete req;
  }

  void forget(const std::string& key) { flows_.erase(key); }
  // One receive buffer for the listener and all its flows: a datagram is relayed before
  // the loop reads the next one.
  char* buffer() { return buf_; }
  static constexpr std::size_t kBufferSize = 65536;

 private:
  void on_close() override {
    auto flows = flows_;
    for (auto& [key, flow] : flows) flow->close();
  }

  static void alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
    auto* self = of<UdpForwarder>(h);
    *buf = uv_buf_init(self->buf_, sizeof self->buf_);
  }

  static void on_datagram(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* from, unsigned) {
    auto* self = of<UdpForwarder>(h);
    if (self->closing() || n < 0 || !from) return;
    std::string key = uvutil::endpoint_text(from);
    if (!self->flows_.count(key) && !fd_budget::may_open()) return;
    if (self->flows_.size() >= std::max<std::size_t>(1, self->options_.max_udp_flows) && !self->flows_.count(key)) {
      auto oldest = std::min_element(self->flows_.begin(), self->flows_.end(),
                                     [](const auto& a, const auto& b) { return a.second->last_use() < b.second->last_use(); });
      oldest->second->close();  // forgets itself
    }
    UdpFlow*& flow = self->flows_[key];
    if (!flow) {
      sockaddr_storage client{};
      std::memcpy(&client, from, from->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
      flow = new UdpFlow(self, key, client);
      if (!flow->open(self->loop_, self->target_)) {
        flow->close();  // forgets itself
        return;
      }
    }
    flow->send(buf->base, static_cast<std::size_t>(n), ++self->uses_);
  }

  static void on_sweep(uv_timer_t* t) {
    auto* self = of<UdpForwarder>(t);
    std::uint64_t now = uv_now(self->loop_);
    std::vector<UdpFlow*> idle;
    for (auto& [key, flow] : self->flows_)
      if (now - flow->last_active() >= static_cast<std::uint64_t>(self->options_.udp_idle_timeout.count())) idle.push_back(flow);
    for (UdpFlow* f : idle) f->close();
  }

  uv_loop_t* loop_;
  sockaddr_storage target_;
  PortProxyOptions options_;
  uv_udp_t sock_{};
  uv_timer_t sweep_{};
  std::map<std::string, UdpFlow*> flows_;
  std::uint64_t uses_ = 0;
  char buf_[kBufferSize];
};

void UdpFlow::alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
  *buf = uv_buf_init(of<UdpFlow>(h)->owner_->buffer(), UdpForwarder::kBufferSize);
}

void UdpFlow::on_close() { owner_->forget(key_); }

void UdpFlow::on_reply(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* from, unsigned) {
  auto* self = of<UdpFlow>(h);
  if (self->closing() || n < 0) return;
  if (n == 0 && !from) return;  // libuv: nothing more to read
  self->last_active_ = uv_now(h->loop);
  self->owner_->reply_to(self->client_, buf->base, static_cast<std::size_t>(n));
}

}  // namespace

uvutil::UvObject* open_udp_forwarder(uv_loop_t* loop, const sockaddr_storage& host, const sockaddr_storage& target,
                                     const PortProxyOptions& options, int& err, std::uint16_t& bound_port) {
  auto* f = new UdpForwarder(loop, target, options);
  err = f->open(host, bound_port);
  if (err < 0) {
    f->close();
    return nullptr;
  }
  return f;
}

}  // namespace mycompose::net::ports
