// Class: a host that also runs Docker. Docker sets the iptables FORWARD policy to DROP (with
// iptables-nft: `table ip filter`, chain FORWARD, policy drop), and with br_netfilter even
// traffic between two ports of one bridge goes through that chain. A drop in any table's
// forward hook is final, whatever our own table accepts: on 4e3e14c containers of one
// network could not reach each other (wget http://web:8080 timed out) nor the outside.
//
// The test does to the firewall what a fresh Docker install does, with the real iptables-nft,
// in a network namespace of its own: the engine (started by the CLI from there), its bridges,
// its containers and "the outside" (another namespace routed through it) all live in it, so
// the DROP policy never reaches other tests running on this machine. The namespace is the
// test's "host"; what it made there is deleted before it is left.
#include <sched.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_project_fixture.hpp"
#include "mycompose/net/nat.hpp"
#include "security/net_probe.hpp"

using namespace cli_project;
namespace net = mycompose::net;

namespace {

// The calling thread in a new network namespace (loopback up) until destruction; the CLI
// and the engine it starts are spawned from here, so they live in it.
struct PrivateHostNetns {
  mycompose::UniqueFd original{::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)};
  PrivateHostNetns() {
    REQUIRE(original);
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    net::NetlinkSocket nl;
    net::set_link_up(nl, "lo");
  }
  ~PrivateHostNetns() {
    if (::setns(original.get(), CLONE_NEWNET) != 0) std::perror("setns back to the test's network namespace");
  }
};

mycompose::test::RunResult sh(const std::string& cmd) { return mycompose::test::run({"sh", "-c", cmd}); }

bool have(const std::string& program) { return sh("command -v " + program).exit_code == 0; }

// br_netfilter: bridged IPv4 goes through the ip family's forward hooks. Built in or loaded
// with modprobe; when this kernel has neither, the bridge-internal case cannot be tested
// here, and the test says so loudly.
bool bridge_netfilter() {
  const char* knob = "/proc/sys/net/bridge/bridge-nf-call-iptables";
  if (!std::filesystem::exists(knob)) sh("modprobe br_netfilter");
  if (!std::filesystem::exists(knob)) {
    WARN("*** br_netfilter is not available on this kernel (no " << knob << ", modprobe failed): "
         "traffic between containers of one bridge does not go through FORWARD here, so only the "
         "routed case (a container reaching the outside) tests the FORWARD DROP policy ***");
    return false;
  }
  std::ofstream(knob) << "1\n";  // per namespace since Linux 5.3
  return mycompose::fs::read_file(knob).substr(0, 1) == "1";
}

// What Docker's install leaves: iptables-nft's `table ip filter`, chain FORWARD, policy drop.
struct DockerLikeFirewall {
  bool with_iptables = have("iptables-nft");
  DockerLikeFirewall() {
    auto r = with_iptables ? sh("iptables-nft -P FORWARD DROP")
                           : sh("nft 'add table ip filter; add chain ip filter FORWARD "
                                "{ type filter hook forward priority 0; policy drop; }'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  ~DockerLikeFirewall() { sh("nft delete table ip filter"); }
  // The chain as the host's own tools see it ("-P FORWARD DROP\n-A FORWARD ...").
  std::string rules() const {
    return with_iptables ? sh("iptables-nft -S FORWARD").out : sh("nft list chain ip filter FORWARD").out;
  }
};

const char* const kProject = R"(services:
  web:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
  client:
    image: busybox:test
    command: ["sleep", "1000"]
  private:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    networks: [inside]
  private-client:
    image: busybox:test
    command: ["sleep", "1000"]
    networks: [inside]
networks:
  inside: {internal: true}
)";

// `wget -O-` of url from a service's container; "" when it fails. Retries while httpd starts.
std::string fetch(const Project& p, const std::string& service, const std::string& url) {
  std::string last;
  for (int i = 0; i < 10; ++i) {
    auto r = p.run({"exec", "-T", service, "busybox", "timeout", "3", "wget", "-q", "-O-", url});
    if (r.exit_code == 0) return r.out;
    last = r.err;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  UNSCOPED_INFO("wget " << url << " from " << service << ": " << last);
  return "";
}

}  // namespace

TEST_CASE("host forward drop: containers talk and reach the outside where Docker set FORWARD to DROP, and the rules go with the networks") {
  PrivateHostNetns host;
  const bool bridged = bridge_netfilter();
  DockerLikeFirewall firewall;
  REQUIRE(firewall.rules().find("DROP") != std::string::npos);
  secnet::OtherHost outside("w", 243);  // 198.18.243.2, routed through this "host"
  secnet::HttpToken outside_server(outside.ns, 8081, "outside-token");

  Project p(kProject);
  const std::string table = net::HostNames(p.r.root()).nft_table();
  p.ok({"up", "-d"});

  // Between two containers of one network: bridge-internal, through FORWARD with br_netfilter.
  CHECK(fetch(p, "client", "http://web:8080/") == "pong\n");
  CHECK(fetch(p, "private-client", "http://private:8080/") == "pong\n");
  // Out through the host, masqueraded.
  CHECK(fetch(p, "client", "http://" + outside.ip + ":8081/") == "outside-token\n");
  CHECK(outside_server.last_peer() == outside.host_ip);
  // What must stay as it was: the internal network has no way out, the host's policy is
  // untouched, and the host's own tools still read the chain.
  CHECK(p.run({"exec", "-T", "private-client", "busybox", "timeout", "2", "wget", "-q", "-O-",
               "http://" + outside.ip + ":8081/"}).exit_code != 0);
  const std::string rules = firewall.rules();
  INFO(rules);
  CHECK(rules.find(firewall.with_iptables ? "-P FORWARD DROP" : "policy drop") != std::string::npos);
  CHECK(rules.find(table) != std::string::npos);
  CHECK(net::host_filter_rules(table).size() == 4);  // in and out of two bridges

  // down takes them away; system check finds none (Project::finish runs it).
  p.finish();
  CHECK(net::host_filter_rules(table).empty());
  CHECK(firewall.rules().find(table) == std::string::npos);

  // One left behind (as by a failed cleanup) is a leak system check reports and --fix removes.
  REQUIRE(sh("nft 'insert rule ip filter FORWARD iifname \"" + net::HostNames(p.r.root()).link_prefix() +
             "b0000\" accept comment \"" + table + "\"'").exit_code == 0);
  auto check = mycompose::test::system_check(p.r.root());
  INFO(check.out << check.err);
  CHECK(check.exit_code != 0);
  CHECK((check.out + check.err).find("ip filter chain FORWARD") != std::string::npos);
  CHECK(mycompose::test::system_check(p.r.root(), true).exit_code == 0);
  CHECK(net::host_filter_rules(table).empty());
  mycompose::test::require_no_leaks(p.r.root());
  if (!bridged) WARN("*** bridge-internal traffic was not tested through FORWARD (no br_netfilter) ***");
}
