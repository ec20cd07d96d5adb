// A Compose service → the runtime's ContainerSettings → config.json (through the real spec
// generator), for the keys the engine honours.
#include "mycompose/scheduler/container_settings.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "project_fixture.hpp"

using namespace scheduler_test;
using mycompose::scheduler::container_settings;
using mycompose::scheduler::HostBindings;
using Json = nlohmann::ordered_json;

namespace {

Json service(const std::string& yaml, const std::string& name = "web") { return project(yaml).model["services"][name]; }

HostBindings host() {
  HostBindings h;
  h.container_id = "0123456789abcdef0123";
  h.rootfs = "/var/lib/mycompose/containers/x/rootfs";
  h.volume_paths = {{"data", "/var/lib/mycompose/volumes/shop_data/_data"},
                    {"anonymous:/cache", "/var/lib/mycompose/volumes/0a1b/_data"}};
  h.namespace_owners = {{"service:vpn", 4242}};
  return h;
}

}  // namespace

TEST_CASE("container settings: process, environment and identity") {
  auto c = container_settings("web", service(R"(services:
  web:
    image: x
    entrypoint: ["/init"]
    command: ["serve", "--port", "80"]
    environment: {A: "1", EMPTY: ""}
    user: "1000:1000"
    working_dir: /app
    domainname: example.org
)"), host());
  CHECK(c.entrypoint == std::vector<std::string>{"/init"});
  CHECK(c.command == std::vector<std::string>{"serve", "--port", "80"});
  CHECK(c.env == std::vector<std::string>{"A=1", "EMPTY="});
  CHECK(c.user == "1000:1000");
  CHECK(c.working_dir == "/app");
  CHECK(c.hostname == "0123456789ab");  // Docker's default: the short container id
  CHECK(c.domainname == "example.org");
  CHECK(c.rootfs == "/var/lib/mycompose/containers/x/rootfs");
  CHECK_FALSE(container_settings("web", service("services:\n  web:\n    image: x\n"), host()).command.has_value());
}

TEST_CASE("container settings: limits, deploy.resources first") {
  auto c = container_settings("web", service(R"(services:
  web:
    image: x
    mem_limit: 1g
    cpus: 2
    pids_limit: 50
    shm_size: 128m
    deploy:
      resources:
        limits: {memory: 64m, cpus: "0.5"}
        reservations: {memory: 32m}
    ulimits: {nofile: {soft: 10, hard: 20}, nproc: 99}
    sysctls: {net.core.somaxconn: 1024}
)"), host());
  CHECK(c.memory == 64 << 20);
  CHECK(c.memory_reservation == 32 << 20);
  CHECK(c.cpus == 0.5);
  CHECK(c.pids_limit == 50);
  CHECK(c.shm_size == 128 << 20);
  REQUIRE(c.ulimits.size() == 2);
  CHECK((c.ulimits[0].name == "nofile" && c.ulimits[0].soft == 10 && c.ulimits[0].hard == 20));
  CHECK((c.ulimits[1].name == "nproc" && c.ulimits[1].soft == 99 && c.ulimits[1].hard == 99));
  CHECK(c.sysctls.at("net.core.somaxconn") == "1024");
}

TEST_CASE("container settings: volumes, binds and tmpfs become mounts") {
  auto c = container_settings("web", service(R"(services:
  web:
    image: x
    volumes:
      - data:/data
      - /cache
      - /srv/site:/site:ro
      - {type: tmpfs, target: /scratch, tmpfs: {size: 1m}}
    tmpfs: ["/run:size=10m,mode=755"]
volumes: {data: {}}
)"), host());
  REQUIRE(c.mounts.size() == 5);
  CHECK(c.mounts[0].destination == "/data");
  CHECK(c.mounts[0].source == "/var/lib/mycompose/volumes/shop_data/_data");
  CHECK(c.mounts[1].source == "/var/lib/mycompose/volumes/0a1b/_data");
  CHECK(c.mounts[2].source == "/srv/site");
  CHECK(c.mounts[2].options == std::vector<std::string>{"ro"});
  CHECK(c.mounts[3].type == "tmpfs");
  CHECK(c.mounts[3].options == std::vector<std::string>{"nosuid", "nodev", "size=1048576"});
  CHECK(c.mounts[4].destination == "/run");
  CHECK(c.mounts[4].options == std::vector<std::string>{"nosuid", "nodev", "noexec", "size=10m", "mode=755"});
}

TEST_CASE("container settings: namespaces shared with another service, or the host's") {
  auto c = container_settings("web", service("services:\n  web:\n    image: x\n    network_mode: service:vpn\n    pid: host\n  vpn:\n    image: x\n"), host());
  CHECK(c.network.kind == mycompose::runtime::NamespaceMode::Join);
  CHECK(c.network.path == "/proc/4242/ns/net");
  CHECK(c.pid.kind == mycompose::runtime::NamespaceMode::Host);
  CHECK(c.ipc.kind == mycompose::runtime::NamespaceMode::Private);
}

TEST_CASE("container settings: the generated spec carries them") {
  struct TempRootfs {
    std::filesystem::path path;
    TempRootfs() {
      char tmpl[] = "/tmp/mycompose-sched-XXXXXX";
      if (::mkdtemp(tmpl)) path = tmpl;
    }
    ~TempRootfs() { std::filesystem::remove_all(path); }
  } rootfs;  // generate_spec reads etc/passwd there; an empty folder means numeric users only
  REQUIRE_FALSE(rootfs.path.empty());
  HostBindings h = host();
  h.rootfs = rootfs.path.string();
  auto c = container_settings("web", service("services:\n  web:\n    image: x\n    cap_add: [NET_ADMIN]\n    read_only: true\n    mem_limit: 64m\n"), h);
  mycompose::runtime::ImageConfig image;
  image.cmd = {"/bin/sh"};
  nlohmann::json spec = mycompose::runtime::generate_spec(image, c);
  CHECK(spec["root"]["readonly"] == true);
  CHECK(spec["linux"]["resources"]["memory"]["limit"] == 64 << 20);
  const auto caps = spec["process"]["capabilities"]["bounding"].get<std::vector<std::string>>();
  CHECK(std::find(caps.begin(), caps.end(), "CAP_NET_ADMIN") != caps.end());
  CHECK(spec["process"]["args"] == nlohmann::json{"/bin/sh"});
}

TEST_CASE("container settings: what the host did not resolve is an error naming the service") {
  HostBindings none;
  CHECK(error_of([&] { container_settings("web", service("services:\n  web:\n    image: x\n    volumes: [data:/d]\nvolumes: {data: {}}\n"), none); }) ==
        "service \"web\": volumes: volume \"data\" has no folder on the host");
  CHECK(error_of([&] { container_settings("web", service("services:\n  web:\n    image: x\n    network_mode: service:vpn\n  vpn:\n    image: x\n"), none); }) ==
        "service \"web\": network_mode: \"service:vpn\" is not running");
}

TEST_CASE("container settings: volumes_from takes the other container's mounts, read-only when asked") {
  HostBindings h = host();
  h.volumes_from["db"] = {{"/var/lib/db", "/vol/db", "bind", {}}, {"/shared", "/vol/shared", "bind", {"ro"}}};
  h.volumes_from["container:cache"] = {{"/cache", "/vol/cache", "bind", {"rw"}}};
  const char* yaml = R"(services:
  web:
    image: x
    volumes: ["/srv/site:/shared"]
    volumes_from: [%s]
  db:
    image: x
)";
  auto with = [&](const std::string& from) {
    char buf[512];
    std::snprintf(buf, sizeof buf, yaml, from.c_str());
    return container_settings("web", service(buf), h);
  };
  // Default mode: as the other container has them; the service's own /shared wins.
  auto c = with("db");
  REQUIRE(c.mounts.size() == 2);
  CHECK(c.mounts[0].source == "/srv/site");
  CHECK(c.mounts[1].destination == "/var/lib/db");
  CHECK(c.mounts[1].source == "/vol/db");
  CHECK(c.mounts[1].options.empty());
  // :ro makes every inherited mount read-only.
  c = with("\"db:ro\"");
  REQUIRE(c.mounts.size() == 2);
  CHECK(c.mounts[1].options == std::vector<std::string>{"ro"});
  // A container by name, :rw drops the ro it had.
  c = with("\"container:cache:rw\"");
  REQUIRE(c.mounts.size() == 2);
  CHECK(c.mounts[1].destination == "/cache");
  CHECK(c.mounts[1].options.empty());
  HostBindings none = host();
  CHECK(error_of([&] { container_settings("web", service("services:\n  web:\n    image: x\n    volumes_from: [db]\n  db:\n    image: x\n"), none); }) ==
        "service \"web\": volumes_from: \"db\" has no container");
}

TEST_CASE("container settings: a volume subpath is looked up under its own key") {
  HostBindings h = host();
  h.volume_paths["data/site/www"] = "/var/lib/mycompose/volumes/shop_data/_data/site/www";
  auto c = container_settings("web", service(R"(services:
  web:
    image: x
    volumes:
      - {type: volume, source: data, target: /www, volume: {subpath: site/www}}
      - {type: bind, source: /srv, target: /srv, bind: {propagation: rshared}}
volumes: {data: {}}
)"), h);
  REQUIRE(c.mounts.size() == 2);
  CHECK(c.mounts[0].source == "/var/lib/mycompose/volumes/shop_data/_data/site/www");
  CHECK(c.mounts[1].options == std::vector<std::string>{"rshared"});
}

TEST_CASE("container settings: identity and isolation keys") {
  auto c = container_settings("web", service(R"(services:
  web:
    image: x
    hostname: shop
    labels: {tier: front}
    annotations: {org.example.note: hello}
    cgroup: host
    privileged: true
    cap_drop: [NET_RAW]
    security_opt: ["no-new-privileges:true", "seccomp=unconfined"]
    tty: true
    init: true
    ipc: host
    group_add: [audio]
    oom_score_adj: 200
    devices: ["/dev/fuse:/dev/fuse:rw"]
)"), host());
  CHECK(c.hostname == "shop");
  CHECK(c.annotations.at("tier") == "front");
  CHECK(c.annotations.at("org.example.note") == "hello");
  CHECK(c.cgroupns_private == false);
  CHECK(c.privileged);
  CHECK(c.cap_drop == std::vector<std::string>{"NET_RAW"});
  CHECK(c.security_opt == std::vector<std::string>{"no-new-privileges:true", "seccomp=unconfined"});
  CHECK(c.tty);
  CHECK(c.init);
  CHECK(c.ipc.kind == mycompose::runtime::NamespaceMode::Host);
  CHECK(c.group_add == std::vector<std::string>{"audio"});
  CHECK(c.oom_score_adj == 200);
  REQUIRE(c.devices.size() == 1);
  CHECK(c.devices[0].host_path == "/dev/fuse");
  CHECK(c.devices[0].permissions == "rw");
}
