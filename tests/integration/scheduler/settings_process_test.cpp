// The process and its limits as the service sets them (root): a tmpfs with its size, a
// sysctl, the nofile ulimit, and stop_signal reaching the application on stop.
#include "settings_fixture.hpp"

using namespace settings_test;

TEST_CASE("settings: tmpfs size, sysctl and ulimit nofile inside the container") {
  Root r;
  ContainerStore store(r.root());
  const stdfs::path out = out_dir(r);
  auto rec = store.create(request(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "cat /proc/mounts > /out/mounts; cat /proc/sys/net/ipv4/ip_forward > /out/forward; ulimit -n > /out/soft; ulimit -Hn > /out/hard; exec sleep 1000"]
    volumes:
      - ")" + out.string() + R"(:/out"
      - {type: tmpfs, target: /scratch, tmpfs: {size: 2m}}
    tmpfs: ["/run/cache:size=1m"]
    sysctls: {net.ipv4.ip_forward: 1}
    ulimits: {nofile: {soft: 1234, hard: 2345}}
)"));
  store.start(rec.id);
  const std::string mounts = wait_for_file(out / "mounts");
  CHECK(mounts.find("tmpfs /scratch tmpfs rw,nosuid,nodev,relatime,size=2048k") != std::string::npos);
  CHECK(mounts.find("tmpfs /run/cache tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k") != std::string::npos);
  CHECK(wait_for_file(out / "forward") == "1\n");
  CHECK(wait_for_file(out / "soft") == "1234\n");
  CHECK(wait_for_file(out / "hard") == "2345\n");
}

TEST_CASE("settings: stop_signal reaches the application when the container is stopped") {
  Root r;
  ContainerStore store(r.root());
  const stdfs::path out = out_dir(r);
  auto rec = store.create(request(R"(services:
  web:
    image: busybox:test
    network_mode: none
    stop_signal: SIGUSR1
    stop_grace_period: 20s
    command: ["sh", "-c", "trap 'echo usr1 > /out/signal; exit 0' USR1; echo ready > /out/ready; while true; do sleep 0.05; done"]
    volumes: [")" + out.string() + R"(:/out"]
)"));
  CHECK(rec.stop_signal == "SIGUSR1");
  store.start(rec.id);
  REQUIRE(wait_for_file(out / "ready") == "ready\n");
  store.stop(rec.id);
  CHECK(mycompose::fs::read_file(out / "signal") == "usr1\n");
  CHECK(store.state(rec.id).status == "stopped");
}
