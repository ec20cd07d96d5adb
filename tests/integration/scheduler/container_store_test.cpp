// ContainerStore (root): a Compose service's container from an image in the store, on an
// overlay of its layers, with its volume, hostname and /etc files; stop, remove, and what
// bad requests get. Every case uses its own MYCOMPOSE_ROOT and removes what it made.
#include <fcntl.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store_fixture.hpp"

using namespace store_test;

namespace {

const char* kWeb = R"(services:
  web:
    image: busybox:test
    hostname: shopfront
    environment: {GREETING: hello}
    command: ["sh", "-c", "echo to stdout; echo to stderr >&2; echo $GREETING > /data/greeting; hostname > /data/hostname; cat /etc/hosts > /data/hosts; exec sleep 1000"]
    volumes: [data:/data]
    stop_grace_period: 2s
volumes: {data: {}}
)";

// What a container's output FIFO holds now (non-blocking; O_RDWR never waits for a writer).
std::string read_fifo(const stdfs::path& fifo) {
  int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "open failed";
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("container store: create, start, stop and remove a service's container") {
  Root r;
  ContainerStore store(r.root());
  auto rec = store.create(request(kWeb));
  CHECK(rec.id.size() == 64);
  CHECK(rec.name == "shop-web-1");
  CHECK(rec.stop_grace_seconds == 2);
  CHECK(store.state(rec.id).status == "created");
  CHECK(mounted(r.root() / "containers" / rec.id / "rootfs"));
  REQUIRE(store.find("shop-web-1"));
  CHECK(store.find(rec.id.substr(0, 12))->name == "shop-web-1");

  store.start(rec.id);
  const stdfs::path data = r.root() / "volumes/shop_data/_data";
  CHECK(wait_for_file(data / "greeting") == "hello\n");
  CHECK(wait_for_file(data / "hostname") == "shopfront\n");
  CHECK(wait_for_file(data / "hosts").find("shopfront shop-web-1") != std::string::npos);
  CHECK(store.state(rec.id).status == "running");
  // No engine reads them here: the output waits in the container's FIFOs.
  CHECK(read_fifo(r.root() / "containers" / rec.id / "stdout") == "to stdout\n");
  CHECK(read_fifo(r.root() / "containers" / rec.id / "stderr") == "to stderr\n");
  // The image's layer stays untouched: the container's writes go to its upper folder.
  CHECK(stdfs::exists(r.root() / "containers" / rec.id / "upper/etc/hostname"));

  CHECK(store.list("shop").size() == 1);
  CHECK(store.list("other").empty());

  store.stop(rec.id);
  CHECK(store.state(rec.id).status == "stopped");
  store.remove(rec.id, false);
  CHECK_FALSE(stdfs::exists(r.root() / "containers" / rec.id));
  CHECK_FALSE(mounted(r.root() / "containers" / rec.id / "rootfs"));
  CHECK(store.list().empty());
  CHECK(store.runtime().list().empty());
  // The named volume and its data outlive the container.
  CHECK(mycompose::fs::read_file(data / "greeting") == "hello\n");
}

TEST_CASE("container store: bad requests get Docker's messages and leave nothing behind") {
  Root r;
  ContainerStore store(r.root());
  auto rec = store.create(request(kWeb));
  try {
    store.create(request(kWeb));
    FAIL("a second container with the same name was created");
  } catch (const mycompose::Error& e) {
    CHECK(std::string(e.what()) == "Conflict. The container name \"/shop-web-1\" is already in use by container \"" + rec.id +
                                       "\". You have to remove (or rename) that container to be able to reuse that name.");
  }
  store.start(rec.id);
  try {
    store.remove(rec.id, false);
    FAIL("a running container was removed without force");
  } catch (const mycompose::Error& e) {
    CHECK(std::string(e.what()) ==
          "cannot remove container \"/shop-web-1\": container is running: stop the container before removing or force remove");
  }
  store.remove(rec.id, true);
  CHECK(store.list().empty());

  auto missing = request("services:\n  web:\n    image: nope:1\n");
  CHECK_THROWS_WITH(store.create(missing), "No such image: nope:1");
  auto bad_user = request("services:\n  web:\n    image: busybox:test\n    user: nobody\n    command: [sleep, \"1\"]\n");
  CHECK_THROWS_WITH(store.create(bad_user), Catch::Contains("unable to find user nobody"));
  std::error_code ec;
  CHECK(stdfs::is_empty(r.root() / "containers", ec));
  CHECK(store.runtime().list().empty());
}

TEST_CASE("container store: parallel creates of one name make one container and refuse the rest") {
  Root r;
  ContainerStore store(r.root());
  std::vector<std::thread> threads;
  std::atomic<int> made{0}, conflicts{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      try {
        store.create(request(kWeb));
        ++made;
      } catch (const mycompose::Error& e) {
        if (std::string(e.what()).find("is already in use by container") != std::string::npos) ++conflicts;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(made == 1);
  CHECK(conflicts == 3);
  const auto all = store.list();
  CHECK(all.size() == 1);
  for (const auto& c : all) store.remove(c.id, true);
  CHECK(store.runtime().list().empty());
}

TEST_CASE("container store: a new volume is filled with the image's content at its target, once") {
  Root r;
  ContainerStore store(r.root());
  const char* yaml = R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: [site:/srv/site, /srv]
  bare:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: [{type: volume, source: empty, target: /srv/site, volume: {nocopy: true}}]
volumes: {site: {}, empty: {}}
)";
  auto rec = store.create(request(yaml));
  const stdfs::path site = r.root() / "volumes/shop_site/_data";
  CHECK(mycompose::fs::read_file(site / "index.html") == "<h1>shop</h1>\n");
  CHECK((stdfs::status(site / "index.html").permissions() & stdfs::perms::all) == stdfs::perms(0640));
  CHECK((stdfs::status(site).permissions() & stdfs::perms::all) == stdfs::perms(0750));
  CHECK(stdfs::read_symlink(site / "home.html") == "index.html");
  // A volume that already has data keeps it: the next container does not copy again.
  mycompose::fs::write_file_atomic(site / "index.html", "changed\n", 0644);
  store.remove(rec.id, true);
  store.create(request(yaml));
  CHECK(mycompose::fs::read_file(site / "index.html") == "changed\n");
  // nocopy leaves the volume empty.
  store.create(request(yaml, "bare"));
  CHECK(stdfs::is_empty(r.root() / "volumes/shop_empty/_data"));
}
