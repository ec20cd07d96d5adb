// The embedded DNS server on 127.0.0.1 (a free port), with a fake upstream on loopback.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "dns_loop_thread.hpp"
#include "dns_test_support.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/net/dns_server.hpp"

using namespace nettest;
using mycompose::net::DnsEndpoint;
using mycompose::net::DnsServer;
using mycompose::net::DnsServerOptions;

namespace {

std::uint8_t rcode(const dns::Message& m) { return m.header.rcode; }
constexpr std::uint8_t kNxDomain = static_cast<std::uint8_t>(dns::Rcode::NxDomain);

// A server listening for network "net1" on 127.0.0.1 with the given upstreams.
struct Fixture {
  LoopThread loop;
  std::shared_ptr<DnsServer> server;
  std::uint16_t port = 0;

  explicit Fixture(std::vector<std::string> upstreams, bool internal = false) {
    DnsServerOptions o;
    o.port = 0;
    o.upstreams = std::move(upstreams);
    server = loop.make<DnsServer>(o);
    port = loop.run([&] {
      server->listen("net1", "127.0.0.1", internal);
      return server->port_of("net1");
    });
  }
  ~Fixture() { server.reset(); }

  void records(std::vector<DnsEndpoint> eps, const std::string& net = "net1") {
    loop.run([&] { server->set_records(net, eps); });
  }
};

std::vector<DnsEndpoint> project_records() {
  return {
      {"10.5.0.2", {"web", "demo-web-1", "frontend"}, "demo-web-1", {}},
      {"10.5.0.3", {"web", "demo-web-2"}, "demo-web-2", {}},
      {"10.5.0.4", {"web", "demo-web-3"}, "demo-web-3", {}},
      {"10.5.0.5", {"db", "demo-db-1", "db-host"}, "demo-db-1", {}},
  };
}

}  // namespace

TEST_CASE("dns server: a service name answers every replica, shuffled") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()});
  f.records(project_records());

  std::set<std::vector<std::string>> orders;
  for (int i = 0; i < 30; ++i) {
    dns::Message r = udp_query(f.port, make_query("web", dns::type::A, 0, static_cast<std::uint16_t>(i)));
    CHECK(r.header.id == i);
    CHECK(r.header.qr);
    CHECK(rcode(r) == 0);
    std::vector<std::string> got = a_answers(r);
    CHECK(r.answers.at(0).ttl == 600);
    orders.insert(got);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"10.5.0.2", "10.5.0.3", "10.5.0.4"});
  }
  // 30 answers in one fixed order out of 6 would be a 1-in-6^29 accident.
  CHECK(orders.size() > 1);
  CHECK(upstream.queries() == 0);
}

TEST_CASE("dns server: container names, hostnames and aliases, case-insensitive, over UDP and TCP") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()});
  f.records(project_records());
  CHECK(a_answers(udp_query(f.port, make_query("demo-web-2"))) == std::vector<std::string>{"10.5.0.3"});
  CHECK(a_answers(udp_query(f.port, make_query("FrontEnd."))) == std::vector<std::string>{"10.5.0.2"});
  CHECK(a_answers(tcp_query(f.port, make_query("db-host"))) == std::vector<std::string>{"10.5.0.5"});
  // AAAA of a name we own: it exists, without such records (NOERROR, no answers).
  dns::Message aaaa = udp_query(f.port, make_query("db", dns::type::AAAA));
  CHECK(rcode(aaaa) == 0);
  CHECK(aaaa.answers.empty());

  // Records change while serving: a removed container is gone, a new one answers.
  f.loop.run([&] {
    f.server->remove_endpoint("net1", "10.5.0.5");
    f.server->add_endpoint("net1", {"10.5.0.9", {"db", "demo-db-2"}, "demo-db-2", {}});
  });
  CHECK(a_answers(udp_query(f.port, make_query("db"))) == std::vector<std::string>{"10.5.0.9"});
  CHECK(upstream.queries() == 0);
}

TEST_CASE("dns server: PTR for container addresses") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()});
  f.records(project_records());
  dns::Message r = udp_query(f.port, make_query("4.0.5.10.in-addr.arpa", dns::type::PTR));
  REQUIRE(r.answers.size() == 1);
  CHECK(r.answers[0].type == dns::type::PTR);
  CHECK(dns::decode_name(r.answers[0].rdata) == "demo-web-3");
  // An address that is not ours goes upstream (which says NXDOMAIN).
  CHECK(rcode(udp_query(f.port, make_query("99.0.5.10.in-addr.arpa", dns::type::PTR))) == kNxDomain);
  CHECK(upstream.queries() == 1);
}

TEST_CASE("dns server: each network answers its own names") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()});
  f.records(project_records());
  std::uint16_t port2 = f.loop.run([&] {
    f.server->listen("net2", "127.0.0.1", true);
    f.server->set_records("net2", {{"10.6.0.2", {"web"}, "other-web-1", {}}});
    return f.server->port_of("net2");
  });
  CHECK(port2 != f.port);
  CHECK(a_answers(udp_query(port2, make_query("web"))) == std::vector<std::string>{"10.6.0.2"});
  CHECK(rcode(udp_query(port2, make_query("db"))) == kNxDomain);
  CHECK(a_answers(udp_query(f.port, make_query("db"))) == std::vector<std::string>{"10.5.0.5"});
  CHECK(upstream.queries() == 0);
}

TEST_CASE("dns server: links aliases are seen only by the linking container") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()}, true);
  auto eps = project_records();
  eps.push_back({"10.5.0.5", {"database"}, "", {"127.0.0.1"}});  // our test client links db as "database"
  eps.push_back({"10.5.0.5", {"store"}, "", {"10.5.0.2"}});      // another container's link
  f.records(eps);
  CHECK(a_answers(udp_query(f.port, make_query("database"))) == std::vector<std::string>{"10.5.0.5"});
  CHECK(rcode(udp_query(f.port, make_query("store"))) == kNxDomain);
}

TEST_CASE("dns server: internal networks answer NXDOMAIN for unknown names and never forward") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()}, true);
  f.records(project_records());
  dns::Message r = udp_query(f.port, make_query("example.com"));
  CHECK(rcode(r) == kNxDomain);
  CHECK(r.answers.empty());
  CHECK(rcode(tcp_query(f.port, make_query("example.com"))) == kNxDomain);
  CHECK(a_answers(udp_query(f.port, make_query("web"))).size() == 3);
  CHECK(upstream.queries() == 0);
}

TEST_CASE("dns server: unknown names are forwarded upstream, with a TCP retry on truncation") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()});
  f.records(project_records());
  dns::Message r = udp_query(f.port, make_query("Example.com", dns::type::A, 0, 0x7777));
  CHECK(r.header.id == 0x7777);
  CHECK(a_answers(r) == std::vector<std::string>{"192.0.2.1"});
  CHECK(r.answers.at(0).ttl == 30);  // the upstream's record, not ours
  CHECK(rcode(udp_query(f.port, make_query("nowhere.example"))) == kNxDomain);
  CHECK(upstream.queries() == 2);

  // The upstream truncates big.example over UDP: the server asks again over TCP.
  dns::Message big = udp_query(f.port, make_query("big.example", dns::type::A, 1232));
  CHECK_FALSE(big.header.tc);
  CHECK(a_answers(big).size() == 3);
  CHECK(upstream.tcp_queries() == 1);
  // Over TCP from the client too.
  CHECK(a_answers(tcp_query(f.port, make_query("example.com"))) == std::vector<std::string>{"192.0.2.1"});
}

TEST_CASE("dns server: past the limit of forwards in flight, SERVFAIL without asking upstream") {
  FakeUpstream upstream;
  DnsServerOptions o;
  o.port = 0;
  o.upstreams = {upstream.endpoint()};
  o.max_forwards = 0;
  LoopThread loop;
  auto server = loop.make<DnsServer>(o);
  std::uint16_t port = loop.run([&] {
    server->listen("net1", "127.0.0.1");
    server->set_records("net1", {{"10.5.0.2", {"web"}, "", {}}});
    return server->port_of("net1");
  });
  CHECK(udp_query(port, make_query("example.com")).header.rcode == static_cast<std::uint8_t>(dns::Rcode::ServFail));
  CHECK(a_answers(udp_query(port, make_query("web"))) == std::vector<std::string>{"10.5.0.2"});
  CHECK(upstream.queries() == 0);
  server.reset();
}

TEST_CASE("dns server: a dead upstream is skipped for the next one, and a container's own dns servers win") {
  FakeUpstream upstream;
  FakeUpstream own("example.com", "203.0.113.7");
  // A UDP port with nothing behind it: no answer, so after the timeout the server asks the next.
  UniqueFd hole(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in a = loopback(0);
  bind(hole.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  std::string dead = "127.0.0.1:" + std::to_string(bound_port(hole.get()));
  hole.reset();

  DnsServerOptions o;
  o.port = 0;
  o.upstreams = {dead, upstream.endpoint()};
  o.upstream_timeout = std::chrono::milliseconds(300);
  LoopThread loop;
  auto server = loop.make<DnsServer>(o);
  std::uint16_t port = loop.run([&] {
    server->listen("net1", "127.0.0.1");
    return server->port_of("net1");
  });
  CHECK(a_answers(udp_query(port, make_query("example.com"))) == std::vector<std::string>{"192.0.2.1"});

  loop.run([&] { server->set_client_upstreams("127.0.0.1", {own.endpoint()}); });
  CHECK(a_answers(udp_query(port, make_query("example.com"))) == std::vector<std::string>{"203.0.113.7"});
  CHECK(own.queries() == 1);
  server.reset();
}

TEST_CASE("dns server: IPv6 resolvers are forwarded to, TCP retry included") {
  std::unique_ptr<FakeUpstream> v6;
  try {
    v6 = std::make_unique<FakeUpstream>("example.com", "192.0.2.66", true);
  } catch (const std::exception& e) {
    WARN("no IPv6 loopback here, not tested: " << e.what());
    return;
  }
  FakeUpstream v4;
  DnsServerOptions o;
  o.port = 0;
  o.upstreams = {v6->endpoint(), v4.endpoint()};
  LoopThread loop;
  auto server = loop.make<DnsServer>(o);
  std::uint16_t port = loop.run([&] {
    server->listen("net1", "127.0.0.1");
    return server->port_of("net1");
  });
  CHECK(a_answers(udp_query(port, make_query("example.com"))) == std::vector<std::string>{"192.0.2.66"});
  CHECK(a_answers(udp_query(port, make_query("big.example"))).size() == 3);
  CHECK(v6->tcp_queries() == 1);
  CHECK(v4.queries() == 0);
  server.reset();
}

TEST_CASE("dns server: UDP answers over the client's size are truncated, TCP gets them all") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()});
  std::vector<DnsEndpoint> eps;
  for (int i = 0; i < 100; ++i) eps.push_back({"10.7.0." + std::to_string(i + 2), {"worker"}, "", {}});
  f.records(eps);

  std::string classic = udp_exchange(f.port, dns::serialize(make_query("worker")));
  CHECK(classic.size() <= 512);
  dns::Message cut = dns::parse(classic);
  CHECK(cut.header.tc);
  CHECK(cut.answers.size() < 100);

  dns::Message edns = udp_query(f.port, make_query("worker", dns::type::A, 4096));
  CHECK_FALSE(edns.header.tc);
  CHECK(edns.answers.size() == 100);

  dns::Message tcp = tcp_query(f.port, make_query("worker"));
  CHECK_FALSE(tcp.header.tc);
  CHECK(tcp.answers.size() == 100);
}

TEST_CASE("dns server: malformed queries get FORMERR with their id, responses are ignored") {
  FakeUpstream upstream;
  Fixture f({upstream.endpoint()});
  std::string bad = dns::serialize(make_query("web", dns::type::A, 0, 0x3131));
  bad.push_back('\x01');  // a trailing byte
  dns::Message r = dns::parse(udp_exchange(f.port, bad));
  CHECK(r.header.id == 0x3131);
  CHECK(rcode(r) == static_cast<std::uint8_t>(dns::Rcode::FormErr));
  // Two questions: FORMERR too.
  dns::Message two = make_query("web");
  two.questions.push_back({"db", dns::type::A, dns::kClassIn});
  CHECK(rcode(udp_query(f.port, two)) == static_cast<std::uint8_t>(dns::Rcode::FormErr));
  // A response (QR set) sent to the server gets nothing back: the next query's answer is
  // the first thing to arrive.
  dns::Message response = make_query("web", dns::type::A, 0, 0x5555);
  response.header.qr = true;
  UniqueFd fd(socket(AF_INET, SOCK_DGRAM, 0));
  receive_timeout(fd.get());
  sockaddr_in to = loopback(f.port);
  for (const auto& m : {response, make_query("web", dns::type::A, 0, 0x6666)}) {
    std::string p = dns::serialize(m);
    sendto(fd.get(), p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  char buf[4096];
  ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
  REQUIRE(n > 0);
  CHECK(dns::parse(std::string(buf, static_cast<std::size_t>(n))).header.id == 0x6666);
}

TEST_CASE("dns server: a listen on a taken address names it") {
  LoopThread loop;
  UniqueFd taken(socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in a = loopback(0);
  bind(taken.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  std::uint16_t port = bound_port(taken.get());
  DnsServerOptions o;
  o.port = port;
  o.upstreams = {"127.0.0.1:1"};
  auto server = loop.make<DnsServer>(o);
  CHECK_THROWS_WITH(loop.run([&] { server->listen("net1", "127.0.0.1"); }),
                    "DNS server: bind udp 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  CHECK_THROWS_WITH(loop.run([&] { server->listen("net1", "10.0.0"); }), "DNS server: \"10.0.0\" is not an IPv4 address");
  server.reset();
}
