// Converger: `up` of a two-service project (network, volume, containers in dependency order,
// DNS names through the hooks), a second `up` that changes nothing, a changed service that is
// recreated alone, a stopped container started again, and `down -v` leaving nothing.
#include <uv.h>

#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "mycompose/net/dns_server.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/scheduler/converge.hpp"
#include "store_fixture.hpp"

using namespace store_test;
using mycompose::scheduler::Converger;
namespace net = mycompose::net;

namespace {

mycompose::compose::Project project_of(const std::string& yaml) {
  mycompose::compose::NormalizeContext ctx;
  ctx.project_name = "shop";
  ctx.working_dir = "/srv/shop";
  ctx.resolve_env_files = false;
  mycompose::compose::Project p;
  p.name = "shop";
  p.working_dir = "/srv/shop";
  p.model = mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx).model;
  return p;
}

std::string stack(const stdfs::path& out, const std::string& web_marker) {
  return R"(services:
  db:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
  web:
    image: busybox:test
    depends_on: [db]
    command: ["sh", "-c", "wget -qO- http://db:8080/ > /out/)" + web_marker + R"(; echo hi > /data/hi; exec sleep 1000"]
    volumes: [")" + out.string() + R"(:/out", "data:/data"]
volumes: {data: {}}
)";
}

// The engine's DNS, on a loop thread; endpoints arrive through the hooks (from this thread,
// so they are queued to the loop).
struct Dns {
  uv_loop_t loop;
  uv_async_t wake;
  std::mutex m;
  std::vector<std::function<void()>> queue;
  std::unique_ptr<net::DnsServer> server;
  std::set<std::string> listening;
  std::thread thread;
  Dns() {
    uv_loop_init(&loop);
    wake.data = this;
    uv_async_init(&loop, &wake, [](uv_async_t* a) {
      auto* self = static_cast<Dns*>(a->data);
      std::vector<std::function<void()>> q;
      {
        std::lock_guard<std::mutex> l(self->m);
        q.swap(self->queue);
      }
      for (auto& f : q) f();
    });
    server = std::make_unique<net::DnsServer>(&loop);
    thread = std::thread([this] { uv_run(&loop, UV_RUN_DEFAULT); });
  }
  void post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> l(m);
      queue.push_back(std::move(f));
    }
    uv_async_send(&wake);
  }
  ~Dns() {
    post([this] {
      server.reset();
      uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
    });
    thread.join();
    uv_loop_close(&loop);
  }
  mycompose::scheduler::ConvergeHooks hooks(std::vector<std::string>& lines) {
    mycompose::scheduler::ConvergeHooks h;
    h.endpoint_added = [this](const net::NetworkRecord& n, const net::Endpoint& ep, const std::vector<std::string>& names,
                              const std::string& container, const std::vector<std::pair<std::string, std::string>>& links) {
      std::promise<void> done;
      post([&, n, ep, names, container, links] {
        if (listening.insert(n.id).second) server->listen(n.id, n.gateway, true);  // internal: no forwarding in tests
        server->add_endpoint(n.id, {ep.ip, names, container, {}, links});
        done.set_value();
      });
      done.get_future().wait();
    };
    h.endpoint_removed = [this](const std::string& network, const std::string& address) {
      post([this, network, address] { server->remove_endpoint(network, address); });
    };
    h.progress = [&lines](const mycompose::scheduler::ProgressEvent& e) {
      if (e.state == mycompose::scheduler::ProgressEvent::State::Done) lines.push_back(e.id + "  " + e.status);
    };
    return h;
  }
};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("converge: up, up again, change one service, restart a stopped one, down -v") {
  Root r;
  const stdfs::path out = r.dir / "out";
  stdfs::create_directories(out);
  Dns dns;
  std::vector<std::string> lines;
  Converger converger(r.root(), dns.hooks(lines));
  ContainerStore store(r.root());
  struct Down {  // whatever happens, the project goes away
    Converger& c;
    mycompose::compose::Project p;
    ~Down() {
      try {
        c.down(p, {true, true});
      } catch (...) {
      }
    }
  } guard{converger, project_of(stack(out, "v1"))};

  converger.up(project_of(stack(out, "v1")));
  CHECK(joined(lines) ==
        "Network shop_default  Created\nVolume \"shop_data\"  Created\nContainer shop-db-1  Created\nContainer shop-db-1  Started\n"
        "Container shop-web-1  Created\nContainer shop-web-1  Started\n");
  CHECK(wait_for_file(out / "v1") == "pong\n");  // web found db by name through the DNS
  CHECK(wait_for_file(r.root() / "volumes/shop_data/_data/hi") == "hi\n");

  lines.clear();
  converger.up(project_of(stack(out, "v1")));
  CHECK(joined(lines) == "Container shop-db-1  Running\nContainer shop-web-1  Running\n");

  lines.clear();
  converger.up(project_of(stack(out, "v2")));
  CHECK(joined(lines) ==
        "Container shop-db-1  Running\nContainer shop-web-1  Recreated\nContainer shop-web-1  Started\n");  // docker compose's words
  CHECK(wait_for_file(out / "v2") == "pong\n");

  // A stopped container gets a new process (and network endpoint) on the next up.
  store.stop("shop-db-1", std::chrono::seconds(1));
  CHECK(store.state(store.find("shop-db-1")->id).status == "stopped");
  lines.clear();
  converger.up(project_of(stack(out, "v2")));
  CHECK(joined(lines) == "Container shop-db-1  Started\nContainer shop-web-1  Running\n");
  CHECK(store.state(store.find("shop-db-1")->id).status == "running");

  lines.clear();
  converger.down(project_of(stack(out, "v2")), {.remove_volumes = true});
  CHECK(joined(lines) ==
        "Container shop-web-1  Stopped\nContainer shop-web-1  Removed\nContainer shop-db-1  Stopped\nContainer shop-db-1  Removed\n"
        "Network shop_default  Removed\nVolume shop_data  Removed\n");
  CHECK(store.list().empty());
  CHECK(store.runtime().list().empty());
  CHECK(net::NetworkManager(r.root()).list().empty());
  CHECK_FALSE(stdfs::exists(r.root() / "volumes/shop_data"));
}
