// Class: reaching containers from other hosts that route through this one ("direct routing":
// unpublished ports open to the network, closed by Docker 28, moby/moby#48724) and the
// embedded DNS server as an open resolver (anyone who reaches a gateway could query it).
// "Another host" is a network namespace behind a veth on a /30 the test picks, with a route
// to the containers' subnet through this host, as a router on the host's LAN would have.
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"
#include "net_probe.hpp"
#include "support/free_port.hpp"

using namespace cli_project;
using secnet::OtherHost;

namespace {

const char* const kServers = R"(services:
  web:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
  pub:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["@PORT@:8080"]
  client:
    image: busybox:test
    command: ["sleep", "1000"]
  stranger:
    image: busybox:test
    command: ["sleep", "1000"]
    networks: [elsewhere]
networks:
  elsewhere: {}
)";

std::string with_port(int port) {
  std::string y = kServers;
  y.replace(y.find("@PORT@"), 6, std::to_string(port));
  return y;
}

mycompose::net::NetworkRecord network(const Project& p, const std::string& name) {
  for (const auto& n : mycompose::net::NetworkManager(p.r.root()).list())
    if (n.name == name) return n;
  FAIL("no network " << name);
  return {};
}

std::string ip_of(const Project& p, const mycompose::net::NetworkRecord& n, const std::string& container) {
  auto c = p.store().find(container);
  REQUIRE(c);
  REQUIRE(n.endpoints.count(c->id));
  return n.endpoints.at(c->id).ip;
}

// httpd answers from the host (the host reaching container addresses must keep working).
void wait_http(const std::string& ip) {
  for (int i = 0; i < 100; ++i) {
    if (secnet::http_get_from_host(ip, 8080).find("pong") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("httpd at " << ip << ":8080 never answered the host");
}

}  // namespace

TEST_CASE("forward isolation: another host reaches published ports only, never a container's own address") {
  const int port = mycompose::test::free_port();
  Project p(with_port(port));
  p.ok({"up", "-d"});
  const auto net = network(p, "proj_default");
  const std::string web = ip_of(p, net, "proj-web-1"), pub = ip_of(p, net, "proj-pub-1");
  wait_http(web);
  wait_http(pub);

  OtherHost other("f", 240);
  other.route_via_host(net.subnet);
  // An unpublished port, routed straight to the container: dropped.
  CHECK(secnet::http_get(other.ns, web, 8080).find("pong") == std::string::npos);
  // The published container's own address is no way in either; its port on the host is.
  CHECK(secnet::http_get(other.ns, pub, 8080).find("pong") == std::string::npos);
  CHECK(secnet::http_get(other.ns, other.host_ip, port).find("pong") != std::string::npos);

  // What must keep working: containers of one network talk, by name; they reach other hosts
  // (masqueraded, the replies come back); the host reaches them.
  CHECK(p.ok({"exec", "-T", "client", "busybox", "timeout", "3", "wget", "-q", "-O-", "http://web:8080/"}) == "pong\n");
  secnet::HttpToken outside(other.ns, 8081, "outside-token");
  CHECK(p.ok({"exec", "-T", "client", "busybox", "timeout", "3", "wget", "-q", "-O-", "http://" + other.ip + ":8081/"}) == "outside-token\n");
  CHECK(outside.last_peer() == other.host_ip);
  CHECK(secnet::http_get_from_host(web, 8080).find("pong") != std::string::npos);
  // Networks stay apart.
  CHECK(p.run({"exec", "-T", "stranger", "busybox", "timeout", "2", "wget", "-q", "-O-", "http://" + web + ":8080/"}).exit_code != 0);
}

TEST_CASE("forward isolation: a gateway's DNS server answers its own network only") {
  Project p(with_port(mycompose::test::free_port()));
  p.ok({"up", "-d"});
  const auto net = network(p, "proj_default");
  const std::string web = ip_of(p, net, "proj-web-1");

  OtherHost other("d", 241);
  other.route_via_host(net.subnet);
  CHECK_FALSE(secnet::dns_answers(other.ns, net.gateway, "web"));
  CHECK_FALSE(secnet::tcp_connects(other.ns, net.gateway, 53));
  // A container of another network asking this network's server learns nothing either.
  auto asked = p.run({"exec", "-T", "stranger", "nslookup", "web", net.gateway});
  INFO(asked.out << asked.err);
  CHECK(asked.out.find(web) == std::string::npos);

  // The network's own containers still resolve each other.
  auto found = p.ok({"exec", "-T", "client", "nslookup", "web"});
  INFO(found);
  CHECK(found.find(web) != std::string::npos);
}
