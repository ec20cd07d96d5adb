// ContainerStore (root): a Compose service's container from an image in the store, on an
// overlay of its layers, with its volume, hostname and /etc files; stop, remove, and what
// bad requests get. Every case uses its own MYCOMPOSE_ROOT and removes what it made.
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "../../support/run.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/yaml.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace stdfs = std::filesystem;
using mycompose::scheduler::ContainerStore;
using mycompose::scheduler::CreateRequest;

namespace {

// A temp MYCOMPOSE_ROOT with a busybox image "busybox:test"; the destructor removes every
// container (runtime state, overlay mount, cgroup) and the folder.
struct Root {
  stdfs::path dir;
  Root() {
    // This test program links the runtime; the init it copies is the one built beside mycompose.
    mycompose::runtime::set_init_program(
        (stdfs::path(mycompose::test::mycompose_bin()).parent_path() / "mycompose-init").string());
    char tmpl[] = "/tmp/mycompose-store-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    auto rootfs = dir / "image-rootfs";
    stdfs::create_directories(rootfs / "bin");
    stdfs::copy_file("/bin/busybox", rootfs / "bin/busybox");
    for (const char* applet : {"sh", "sleep", "hostname", "cat", "echo"}) stdfs::create_symlink("busybox", rootfs / "bin" / applet);
    // Content at a volume target, which a new volume gets a copy of.
    stdfs::create_directories(rootfs / "srv/site");
    mycompose::fs::write_file_atomic(rootfs / "srv/site/index.html", "<h1>shop</h1>\n", 0640);
    stdfs::create_symlink("index.html", rootfs / "srv/site/home.html");
    stdfs::permissions(rootfs / "srv/site", stdfs::perms(0750));
    auto tar = dir / "image.tar";
    auto t = mycompose::test::run({"tar", "--owner=0", "--group=0", "-C", rootfs.string(), "-cf", tar.string(), "."});
    if (t.exit_code != 0) throw std::runtime_error("tar: " + t.err);
    mycompose::test::RunOptions o;
    o.env = {{"MYCOMPOSE_ROOT", (dir / "root").string()}};
    auto imp = mycompose::test::run({mycompose::test::mycompose_bin(), "image", "import", tar.string(), "busybox:test"}, o);
    if (imp.exit_code != 0) throw std::runtime_error("image import: " + imp.err);
  }
  ~Root() {
    try {
      ContainerStore store(dir / "root");
      for (const auto& c : store.list()) store.remove(c.id, true);
    } catch (...) {
    }
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  stdfs::path root() const { return dir / "root"; }
};

CreateRequest request(const std::string& yaml, const std::string& service = "web") {
  mycompose::compose::NormalizeContext ctx;
  ctx.project_name = "shop";
  ctx.working_dir = "/srv/shop";
  ctx.resolve_env_files = false;
  auto model = mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx).model;
  CreateRequest r;
  r.project = "shop";
  r.service = service;
  r.definition = model["services"][service];
  r.desired.name = "shop-" + service + "-1";
  r.desired.labels = {{"com.docker.compose.project", "shop"}, {"com.docker.compose.service", service}};
  r.config_hash = "hash";
  return r;
}

// Polls (the container runs on its own) until the file has content, up to 10 s.
std::string wait_for_file(const stdfs::path& p) {
  for (int i = 0; i < 1000; ++i) {
    std::error_code ec;
    if (stdfs::exists(p, ec) && stdfs::file_size(p, ec) > 0) return mycompose::fs::read_file(p);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "";
}

bool mounted(const stdfs::path& p) {
  return mycompose::fs::read_file("/proc/self/mountinfo").find(" " + p.string() + " ") != std::string::npos;
}

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
  CHECK(mycompose::fs::read_file(r.root() / "containers" / rec.id / "output.log") == "to stdout\nto stderr\n");
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
