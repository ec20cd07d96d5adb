// Containers of a project network, wired as the engine will wire them: ContainerStore makes
// them (created, not started), NetworkManager attaches each netns to the project bridge,
// the embedded DNS server answers on the gateway, resolv.conf points at it. Then a client
// container finds the server by service name and by container name and talks HTTP to it.
#include <uv.h>

#include <thread>

#include "mycompose/net/dns_server.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/net/resolv_conf.hpp"
#include "store_fixture.hpp"

using namespace store_test;
namespace net = mycompose::net;

namespace {

// The project network, removed (with every link and rule of this root) at the end.
struct Network {
  net::NetworkManager nm;
  net::NetworkRecord rec;
  explicit Network(const stdfs::path& root) : nm(root) {
    net::NetworkSpec spec;
    spec.name = "shop_default";
    rec = nm.create(spec);
  }
  ~Network() {
    try {
      nm.cleanup_all();
    } catch (...) {
    }
  }
};

// The DNS server on its own loop thread, started once every record is in place.
struct Dns {
  uv_loop_t loop;
  uv_async_t stop;
  std::unique_ptr<net::DnsServer> server;
  std::thread thread;
  Dns() {
    uv_loop_init(&loop);
    uv_async_init(&loop, &stop, [](uv_async_t* a) { uv_stop(a->loop); });
    server = std::make_unique<net::DnsServer>(&loop);
  }
  void run() {
    thread = std::thread([this] { uv_run(&loop, UV_RUN_DEFAULT); });
  }
  ~Dns() {
    if (thread.joinable()) {
      uv_async_send(&stop);
      thread.join();
    }
    server.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&stop), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
};

}  // namespace

TEST_CASE("stack: two services on a project network find each other by name and talk HTTP") {
  Root r;
  const stdfs::path out = r.dir / "out";
  stdfs::create_directories(out);
  const std::string yaml = R"(services:
  db:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
  web:
    image: busybox:test
    command: ["sh", "-c", "nslookup db > /out/nslookup 2>&1; wget -qO- http://db:8080/ > /out/by-service 2>&1; wget -qO- http://shop-db-1:8080/ > /out/by-container 2>&1; echo done > /out/done"]
    volumes: [")" + out.string() + R"(:/out"]
)";
  Network network(r.root());
  Dns dns;
  ContainerStore store(r.root());

  const std::string resolv = net::container_resolv_conf(net::ResolvConf{}, {}, net::ResolverMode::Embedded, network.rec.gateway);
  auto db_req = request(yaml, "db");
  db_req.resolv_conf = resolv;
  auto web_req = request(yaml, "web");
  web_req.resolv_conf = resolv;
  auto db = store.create(db_req);
  auto web = store.create(web_req);
  auto db_ep = network.nm.connect("shop_default", db.id, net::NetnsRef::of_pid(store.state(db.id).pid));
  auto web_ep = network.nm.connect("shop_default", web.id, net::NetnsRef::of_pid(store.state(web.id).pid));

  dns.server->set_records(network.rec.id, {{db_ep.ip, {"db", "shop-db-1"}, "shop-db-1", {}},
                                           {web_ep.ip, {"web", "shop-web-1"}, "shop-web-1", {}}});
  dns.server->listen(network.rec.id, network.rec.gateway, true);  // internal: nothing leaves this machine
  dns.run();

  store.start(db.id);
  store.start(web.id);
  REQUIRE(wait_for_file(out / "done") == "done\n");
  const std::string ns = mycompose::fs::read_file(out / "nslookup");
  INFO(ns);
  CHECK(ns.find(db_ep.ip) != std::string::npos);
  CHECK(mycompose::fs::read_file(out / "by-service") == "pong\n");
  CHECK(mycompose::fs::read_file(out / "by-container") == "pong\n");
  CHECK(mycompose::fs::read_file(r.root() / "containers" / web.id / "resolv.conf").find("nameserver " + network.rec.gateway + "\n") != std::string::npos);

  store.remove(web.id, true);
  store.remove(db.id, true);
  CHECK(network.nm.disconnect("shop_default", web.id));
  CHECK(network.nm.disconnect("shop_default", db.id));
}
