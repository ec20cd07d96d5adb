#include "mycompose/net/dns_server.hpp"

#include <ifaddrs.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "dns_answer.hpp"
#include "dns_uv_util.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fd_budget.hpp"
#include "mycompose/net/dns_message.hpp"
#include "mycompose/net/resolv_conf.hpp"

namespace mycompose::net {

using uvutil::OwnedReq;
using uvutil::UvObject;
using Reply = std::function<void(std::string)>;

namespace {
constexpr std::size_t kMaxTcpMessage = 65535;
// UDP answers waiting for the socket past this are dropped (the client asks again).
constexpr std::size_t kMaxUdpSendQueue = 256 * 1024;
const sockaddr* sa(const sockaddr_storage& s) { return reinterpret_cast<const sockaddr*>(&s); }

// Who may ask: addresses on the link of the listening address (the network's subnet). The
// root's nft table already drops queries that do not come in through the bridge; this keeps
// the server from answering other hosts (an open resolver) even without that table.
class ClientFilter {
 public:
  ClientFilter() = default;  // allows every client
  // The prefix of the interface address `ipv4` (network byte order); none found = allow all.
  explicit ClientFilter(in_addr_t ipv4) {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return;
    for (ifaddrs* i = list; i; i = i->ifa_next) {
      if (!i->ifa_addr || !i->ifa_netmask || i->ifa_addr->sa_family != AF_INET) continue;
      if (reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr != ipv4) continue;
      mask_ = reinterpret_cast<const sockaddr_in*>(i->ifa_netmask)->sin_addr.s_addr;
      net_ = ipv4 & mask_;
      break;
    }
    ::freeifaddrs(list);
  }
  bool allows(const sockaddr* from) const {
    if (from->sa_family != AF_INET) return mask_ == 0;
    return (reinterpret_cast<const sockaddr_in*>(from)->sin_addr.s_addr & mask_) == net_;
  }

 private:
  in_addr_t net_ = 0, mask_ = 0;
};
}  // namespace

struct DnsServerCore {
  struct Network {
    std::vector<DnsEndpoint> endpoints;
    bool internal = false;
    UvObject* listener = nullptr;
    std::uint16_t port = 0;
  };

  uv_loop_t* loop;
  DnsServerOptions options;
  std::map<std::string, Network> networks;
  std::map<std::string, std::vector<sockaddr_storage>> client_upstreams;
  std::vector<sockaddr_storage> upstreams;
  bool upstreams_loaded = false;
  std::set<UvObject*> live;  // every open listener, TCP client and forward
  std::size_t forwards = 0;  // of them, forwards in flight
  std::map<std::string, std::size_t> forwards_by_client;
  std::size_t tcp_clients = 0;  // TCP connections counted against the limits
  std::map<std::string, std::size_t> tcp_by_client;
  std::mt19937 rng{std::random_device{}()};
  // One receive buffer for every socket of the server: libuv hands each read to its
  // callback, which consumes it, before it reads the next.
  char read_buf[65536];

  ~DnsServerCore() {
    for (UvObject* o : std::set<UvObject*>(live)) o->close();
  }

  static std::vector<sockaddr_storage> parse_upstreams(const std::vector<std::string>& list) {
    std::vector<sockaddr_storage> out;
    for (const auto& s : list) {
      sockaddr_storage a;
      if (uvutil::parse_endpoint(s, 53, a)) out.push_back(a);
    }
    return out;
  }

  const std::vector<sockaddr_storage>& upstreams_for(const std::string& client) {
    if (auto it = client_upstreams.find(client); it != client_upstreams.end()) return it->second;
    if (!upstreams_loaded) {
      upstreams = parse_upstreams(options.upstreams.empty() ? host_resolv_conf().nameservers : options.upstreams);
      upstreams_loaded = true;
    }
    return upstreams;
  }

  void handle(const std::string& network_id, const std::string& client, std::string_view packet, bool udp, Reply reply);

  // One more count for `client` when under both limits (and descriptors are left).
  static bool take(std::map<std::string, std::size_t>& by_client, std::size_t& total, const std::string& client,
                   std::size_t max_total, std::size_t max_per_client, rlim_t fds) {
    auto it = by_client.find(client);
    std::size_t mine = it == by_client.end() ? 0 : it->second;
    if (total >= max_total || mine >= max_per_client || !fd_budget::may_open(fds)) return false;
    ++total;
    ++by_client[client];
    return true;
  }
  static void give_back(std::map<std::string, std::size_t>& by_client, std::size_t& total, const std::string& client) {
    --total;
    if (--by_client[client] == 0) by_client.erase(client);
  }
};

namespace {

// One query forwarded upstream: UDP to each resolver in turn until one answers, then TCP
// to the same resolver when the UDP answer came back truncated.
class Forward : public UvObject {
 public:
  // Made only once DnsServerCore::take counted it for `client`.
  Forward(DnsServerCore* impl, std::string client, std::string query, std::vector<sockaddr_storage> upstreams, Reply done)
      : impl_(impl), client_(std::move(client)), query_(std::move(query)), upstreams_(std::move(upstreams)), done_(std::move(done)) {}

  void start() {
    impl_->live.insert(this);
    if (uv_timer_init(impl_->loop, &timer_) < 0) return finish("");
    adopt(&timer_);
    try_udp();
  }

 private:
  void on_close() override {
    impl_->live.erase(this);
    DnsServerCore::give_back(impl_->forwards_by_client, impl_->forwards, client_);
  }

  void try_udp() {
    while (index_ < upstreams_.size()) {
      uv_udp_t* sock = socket_for(upstreams_[index_].ss_family);
      auto* req = new OwnedReq<uv_udp_send_t>{{}, query_};
      uv_buf_t b = req->buf();
      if (sock && uv_udp_send(&req->req, sock, &b, 1, sa(upstreams_[index_]), [](uv_udp_send_t* r, int) {
                    delete reinterpret_cast<OwnedReq<uv_udp_send_t>*>(r);
                  }) == 0) {
        uv_timer_start(&timer_, on_timeout, impl_->options.upstream_timeout.count(), 0);
        return;
      }
      delete req;
      ++index_;
    }
    finish("");
  }

  // One socket per address family, made on first use: resolvers may be IPv4 or IPv6.
  uv_udp_t* socket_for(int family) {
    int i = family == AF_INET6 ? 1 : 0;
    if (!udp_open_[i]) {
      if (uv_udp_init(impl_->loop, &udp_[i]) < 0) return nullptr;
      adopt(&udp_[i]);
      udp_open_[i] = true;
      // Above FD_SETSIZE (fd_budget::for_connection): containers decide how many forwards run.
      const int fd = fd_budget::for_connection(::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
      if (fd < 0) return nullptr;
      if (uv_udp_open(&udp_[i], fd) < 0) {
        ::close(fd);
        return nullptr;
      }
      if (uv_udp_recv_start(&udp_[i], alloc, on_udp_read) < 0) return nullptr;
    }
    return &udp_[i];
  }

  static void alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
    auto* self = of<Forward>(h);
    *buf = uv_buf_init(self->impl_->read_buf, sizeof self->impl_->read_buf);
  }

  static void on_udp_read(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* from, unsigned) {
    auto* self = of<Forward>(h);
    if (self->closing() || n < 12 || !from || self->tcp_mode_) return;
    // Only the resolver we asked, answering our id, counts (spoofed answers are dropped).
    if (!uvutil::same_endpoint(from, sa(self->upstreams_[self->index_]))) return;
    std::string answer(buf->base, static_cast<std::size_t>(n));
    if (answer.compare(0, 2, self->query_, 0, 2) != 0) return;
    auto header = dns::parse_header(answer);
    if (header && header->tc) {
      self->fallback_ = std::move(answer);
      self->start_tcp();
    } else {
      self->finish(std::move(answer));
    }
  }

  static void on_timeout(uv_timer_t* t) {
    auto* self = of<Forward>(t);
    if (self->closing()) return;
    if (self->tcp_mode_) return self->finish(self->fallback_);
    ++self->index_;
    self->try_udp();
  }

  void start_tcp() {
    tcp_mode_ = true;
    if (uv_tcp_init(impl_->loop, &tcp_) < 0) return finish(fallback_);
    adopt(&tcp_);
    connect_.data = this;
    if (uv_tcp_connect(&connect_, &tcp_, sa(upstreams_[index_]), on_connect) < 0) return finish(fallback_);
    uv_timer_start(&timer_, on_timeout, impl_->options.upstream_timeout.count(), 0);
  }

  static void on_connect(uv_connect_t* req, int status) {
    auto* self = static_cast<Forward*>(req->data);
    if (self->closing()) return;
    if (status < 0) return self->finish(self->fallback_);
    std::string framed;
    framed.push_back(static_cast<char>(self->query_.size() >> 8));
    framed.push_back(static_cast<char>(self->query_.size() & 0xFF));
    framed += self->query_;
    auto* w = new OwnedReq<uv_write_t>{{}, std::move(framed)};
    uv_buf_t b = w->buf();
    if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&self->tcp_), &b, 1,
                 [](uv_write_t* r, int) { delete reinterpret_cast<OwnedReq<uv_write_t>*>(r); }) < 0) {
      delete w;
      return self->finish(self->fallback_);
    }
    uv_read_start(reinterpret_cast<uv_stream_t*>(&self->tcp_), alloc, on_tcp_read);
  }

  static void on_tcp_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* self = of<Forward>(s);
    if (self->closing()) return;
    if (n < 0) return self->finish(self->fallback_);
    self->tcp_in_.append(buf->base, static_cast<std::size_t>(n));
    if (self->tcp_in_.size() < 2) return;
    std::size_t len = static_cast<std::uint8_t>(self->tcp_in_[0]) << 8 | static_cast<std::uint8_t>(self->tcp_in_[1]);
    if (self->tcp_in_.size() >= 2 + len) self->finish(self->tcp_in_.substr(2, len));
  }

  void finish(std::string answer) {
    Reply done = std::move(done_);
    close();  // deletion waits for libuv's close callbacks, after this returns
    if (done) done(std::move(answer));
  }

  DnsServerCore* impl_;
  std::string client_, query_;
  std::vector<sockaddr_storage> upstreams_;
  Reply done_;
  std::size_t index_ = 0;
  bool tcp_mode_ = false;
  bool udp_open_[2] = {false, false};
  std::string fallback_, tcp_in_;
  uv_udp_t udp_[2]{};  // IPv4, IPv6
  uv_timer_t timer_{};
  uv_tcp_t tcp_{};
  uv_connect_t connect_{};
};

// A DNS-over-TCP client connection: 2-byte length prefixed queries, answered in order of
// completion. Reading stops while max_tcp_pipelined queries are unanswered or the answers
// not yet written pass tcp_write_high_water, and resumes as they drain: a client that sends
// and never reads fills its own socket buffers, not the engine's memory.
class TcpClient : public UvObject {
 public:
  TcpClient(DnsServerCore* impl, std::string network_id) : impl_(impl), network_id_(std::move(network_id)) {}

  // Accepts the waiting connection; false when it is to be closed at once (not from the
  // network, or past the connection limits).
  bool accept(uv_stream_t* server, const ClientFilter& filter) {
    impl_->live.insert(this);
    if (uv_tcp_init(impl_->loop, &tcp_) < 0) return false;
    adopt(&tcp_);
    if (uv_accept(server, stream()) < 0) return false;
    sockaddr_storage peer{};
    int len = sizeof peer;
    if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &len) < 0) return false;
    if (!filter.allows(reinterpret_cast<sockaddr*>(&peer))) return false;
    client_ = uvutil::address_text(reinterpret_cast<sockaddr*>(&peer));
    const auto& o = impl_->options;
    if (!DnsServerCore::take(impl_->tcp_by_client, impl_->tcp_clients, client_, o.max_tcp_clients,
                             o.max_tcp_clients_per_address, 1))
      return false;
    counted_ = true;
    if (uv_timer_init(impl_->loop, &idle_) < 0) return false;
    adopt(&idle_);
    uv_timer_start(&idle_, on_idle, idle_ms(), 0);
    return uv_read_start(stream(), alloc, on_read) == 0;
  }

 private:
  void on_close() override {
    impl_->live.erase(this);
    alive_.reset();
    if (counted_) DnsServerCore::give_back(impl_->tcp_by_client, impl_->tcp_clients, client_);
  }
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  std::uint64_t idle_ms() const { return static_cast<std::uint64_t>(impl_->options.tcp_idle_timeout.count()); }
  bool over_limits() const {
    return in_flight_ >= impl_->options.max_tcp_pipelined || tcp_.write_queue_size > impl_->options.tcp_write_high_water;
  }

  static void alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
    auto* self = of<TcpClient>(h);
    *buf = uv_buf_init(self->impl_->read_buf, sizeof self->impl_->read_buf);
  }

  static void on_idle(uv_timer_t* t) {
    auto* self = of<TcpClient>(t);
    if (!self->closing()) self->close();
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* self = of<TcpClient>(s);
    if (self->closing() || n == 0) return;
    if (n < 0) return self->close();
    uv_timer_start(&self->idle_, on_idle, self->idle_ms(), 0);
    self->in_.append(buf->base, static_cast<std::size_t>(n));
    self->serve();
  }

  // Answers the complete queries read so far while the limits allow, then reads on or not.
  // Local answers come back within handle(): `serving_` keeps their callback from
  // re-entering.
  void serve() {
    if (serving_ || closing()) return;
    serving_ = true;
    std::size_t at = 0;
    while (!closing() && !over_limits() && in_.size() - at >= 2) {
      std::size_t len = static_cast<std::uint8_t>(in_[at]) << 8 | static_cast<std::uint8_t>(in_[at + 1]);
      if (in_.size() - at < 2 + len) break;
      std::string query = in_.substr(at + 2, len);
      at += 2 + len;
      ++in_flight_;
      std::weak_ptr<int> alive = alive_;
      impl_->handle(network_id_, client_, query, false, [this, alive](std::string answer) {
        if (alive.expired()) return;
        --in_flight_;
        if (answer.size() <= kMaxTcpMessage) send(answer);
        serve();
      });
    }
    in_.erase(0, at);
    serving_ = false;
    if (closing()) return;
    if (over_limits() && !paused_) {
      uv_read_stop(stream());
      paused_ = true;
    } else if (!over_limits() && paused_) {
      paused_ = false;
      if (uv_read_start(stream(), alloc, on_read) < 0) return close();
      serve();  // what was read before the pause
    }
  }

  void send(const std::string& answer) {
    std::string framed;
    framed.push_back(static_cast<char>(answer.size() >> 8));
    framed.push_back(static_cast<char>(answer.size() & 0xFF));
    framed += answer;
    auto* w = new OwnedReq<uv_write_t>{{}, std::move(framed), this};
    uv_buf_t b = w->buf();
    if (uv_write(&w->req, stream(), &b, 1, on_written) < 0) {
      delete w;
      close();
    }
  }

  static void on_written(uv_write_t* r, int status) {
    auto* w = reinterpret_cast<OwnedReq<uv_write_t>*>(r);
    auto* self = static_cast<TcpClient*>(w->owner);
    delete w;
    if (self->closing()) return;
    if (status < 0) return self->close();
    if (self->paused_) self->serve();
  }

  DnsServerCore* impl_;
  std::string network_id_, client_, in_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::size_t in_flight_ = 0;
  bool counted_ = false, serving_ = false, paused_ = false;
  uv_tcp_t tcp_{};
  uv_timer_t idle_{};
};

// UDP and TCP port 53 (or the configured port) on one network's DNS address.
class Listener : public UvObject {
 public:
  Listener(DnsServerCore* impl, std::string network_id) : impl_(impl), network_id_(std::move(network_id)) {}

  // Throws SystemError naming the address; the caller closes the listener then.
  std::uint16_t bind(const std::string& ipv4, std::uint16_t port) {
    impl_->live.insert(this);
    sockaddr_storage addr;
    if (!uvutil::parse_endpoint(ipv4, port, addr) || addr.ss_family != AF_INET)
      throw Error("DNS server: \"" + ipv4 + "\" is not an IPv4 address");
    uvutil::check_uv(uv_udp_init(impl_->loop, &udp_), "DNS server: uv_udp_init");
    adopt(&udp_);
    uvutil::check_uv(uv_tcp_init(impl_->loop, &tcp_), "DNS server: uv_tcp_init");
    adopt(&tcp_);
    std::string where = ipv4 + ":" + std::to_string(port);
    uvutil::check_uv(uv_udp_bind(&udp_, sa(addr), 0), "DNS server: bind udp " + where);
    sockaddr_storage bound{};
    int len = sizeof bound;
    uv_udp_getsockname(&udp_, reinterpret_cast<sockaddr*>(&bound), &len);
    std::uint16_t actual = uvutil::port_of(reinterpret_cast<sockaddr*>(&bound));
    reinterpret_cast<sockaddr_in*>(&addr)->sin_port = htons(actual);
    where = ipv4 + ":" + std::to_string(actual);
    uvutil::check_uv(uv_tcp_bind(&tcp_, sa(addr), 0), "DNS server: bind tcp " + where);
    uvutil::check_uv(uv_listen(reinterpret_cast<uv_stream_t*>(&tcp_), 128, on_connection), "DNS server: listen tcp " + where);
    uvutil::check_uv(uv_udp_recv_start(&udp_, alloc, on_udp_read), "DNS server: receive udp " + where);
    filter_ = ClientFilter(reinterpret_cast<sockaddr_in*>(&addr)->sin_addr.s_addr);
    return actual;
  }

 private:
  void on_close() override {
    impl_->live.erase(this);
    alive_.reset();
  }

  static void alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
    auto* self = of<Listener>(h);
    *buf = uv_buf_init(self->impl_->read_buf, sizeof self->impl_->read_buf);
  }

  static void on_udp_read(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* from, unsigned) {
    auto* self = of<Listener>(h);
    if (self->closing() || n <= 0 || !from || !self->filter_.allows(from)) return;
    sockaddr_storage client{};
    std::memcpy(&client, from, from->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
    std::weak_ptr<int> alive = self->alive_;
    self->impl_->handle(self->network_id_, uvutil::address_text(from), std::string_view(buf->base, static_cast<std::size_t>(n)),
                        true, [self, alive, client](std::string answer) {
                          if (alive.expired() || self->udp_.send_queue_size > kMaxUdpSendQueue) return;
                          auto* req = new OwnedReq<uv_udp_send_t>{{}, std::move(answer)};
                          uv_buf_t b = req->buf();
                          if (uv_udp_send(&req->req, &self->udp_, &b, 1, sa(client), [](uv_udp_send_t* r, int) {
                                delete reinterpret_cast<OwnedReq<uv_udp_send_t>*>(r);
                              }) < 0)
                            delete req;
                        });
  }

  static void on_connection(uv_stream_t* server, int status) {
    auto* self = of<Listener>(server);
    if (self->closing() || status < 0) return;
    auto* client = new TcpClient(self->impl_, self->network_id_);
    if (!client->accept(server, self->filter_)) client->close();
  }

  DnsServerCore* impl_;
  std::string network_id_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  ClientFilter filter_;
  uv_udp_t udp_{};
  uv_tcp_t tcp_{};
};

}  // namespace

void DnsServerCore::handle(const std::string& network_id, const std::string& client, std::string_view packet, bool udp,
                             Reply reply) {
  auto net = networks.find(network_id);
  if (net == networks.end()) return;
  dns::Message query;
  try {
    query = dns::parse(packet);
  } catch (const dns::ParseError&) {
    auto header = dns::parse_header(packet);
    if (header && !header->qr) {
      dns::Message bad;
      bad.header = *header;
      reply(dns::serialize(error_reply(bad, dns::Rcode::FormErr)));
    }
    return;
  }
  if (query.header.qr) return;  // a response sent to us: never answer it (reflection loops)
  std::size_t limit = udp ? query.udp_size_limit() : kMaxTcpMessage;
  if (auto local = answer_locally(query, {net->second.endpoints, client, net->second.internal, options.ttl, rng})) {
    reply(dns::serialize(*local, limit));
    return;
  }
  const auto& ups = upstreams_for(client);
  // A forward holds up to three sockets (UDP per address family, TCP after truncation).
  if (ups.empty() || !take(forwards_by_client, forwards, client, options.max_forwards, options.max_forwards_per_client, 3)) {
    reply(dns::serialize(error_reply(query, dns::Rcode::ServFail), limit));
    return;
  }
  auto* forward = new Forward(this, client, std::string(packet), ups, [reply, limit, query](std::string answer) {
    if (answer.empty()) return reply(dns::serialize(error_reply(query, dns::Rcode::ServFail), limit));
    if (answer.size() > limit) {
      // The resolver sent more than this client takes over UDP: keep what fits, set TC.
      try {
        answer = dns::serialize(dns::parse(answer), limit);
      } catch (const Error&) {
        dns::Message tc = error_reply(query, dns::Rcode::NoError);
        tc.header.tc = true;
        answer = dns::serialize(tc, limit);
      }
    }
    reply(std::move(answer));
  });
  forward->start();
}

DnsServer::DnsServer(uv_loop_t* loop, DnsServerOptions options) : impl_(std::make_unique<DnsServerCore>()) {
  impl_->loop = loop;
  impl_->options = std::move(options);
}

DnsServer::~DnsServer() = default;

void DnsServer::listen(const std::string& network_id, const std::string& ipv4, bool internal) {
  unlisten(network_id);
  Listener* listener = nullptr;
  std::uint16_t port = 0;
  // Port 0 (tests): UDP takes a free port, and TCP may find that number held by a connection's
  // local end (a busy loopback has thousands): then try another pair.
  for (int attempt = 1;; ++attempt) {
    listener = new Listener(impl_.get(), network_id);
    try {
      port = listener->bind(ipv4, impl_->options.port);
      break;
    } catch (...) {
      listener->close();
      if (impl_->options.port != 0 || attempt == 16) throw;
    }
  }
  DnsServerCore::Network& net = impl_->networks[network_id];
  net.listener = listener;
  net.internal = internal;
  net.port = port;
}

void DnsServer::unlisten(const std::string& network_id) {
  auto it = impl_->networks.find(network_id);
  if (it == impl_->networks.end() || !it->second.listener) return;
  it->second.listener->close();
  it->second.listener = nullptr;
  it->second.port = 0;
}

std::uint16_t DnsServer::port_of(const std::string& network_id) const {
  auto it = impl_->networks.find(network_id);
  return it == impl_->networks.end() ? 0 : it->second.port;
}

void DnsServer::set_records(const std::string& network_id, std::vector<DnsEndpoint> endpoints) {
  for (const auto& e : endpoints) dns::a_rdata(e.address);  // throws for a bad address, before anything changes
  impl_->networks[network_id].endpoints = std::move(endpoints);
}

void DnsServer::add_endpoint(const std::string& network_id, DnsEndpoint endpoint) {
  dns::a_rdata(endpoint.address);
  impl_->networks[network_id].endpoints.push_back(std::move(endpoint));
}

void DnsServer::remove_endpoint(const std::string& network_id, const std::string& address) {
  auto it = impl_->networks.find(network_id);
  if (it != impl_->networks.end()) std::erase_if(it->second.endpoints, [&](const DnsEndpoint& e) { return e.address == address; });
}

void DnsServer::set_client_upstreams(const std::string& client_address, std::vector<std::string> upstreams) {
  if (upstreams.empty())
    impl_->client_upstreams.erase(client_address);
  else
    impl_->client_upstreams[client_address] = DnsServerCore::parse_upstreams(upstreams);
}

}  // namespace mycompose::net
