// Volumes (root): binds with create_host_path, anonymous volumes handed over on recreate (and
// renewed with -V, deleted with -v), volumes_from, subpath.
#include "settings_fixture.hpp"

#include "../../../engine/scheduler/volume_sources.hpp"

using namespace settings_test;
using mycompose::scheduler::anonymous_volumes;

TEST_CASE("settings: a missing bind source is created unless create_host_path is false") {
  Root r;
  ContainerStore store(r.root());
  const stdfs::path made = r.dir / "made/here";
  auto rec = store.create(request("services:\n  web:\n    image: busybox:test\n    network_mode: none\n    command: [sleep, \"1000\"]\n"
                                  "    volumes: [\"" + made.string() + ":/data\"]\n"));
  CHECK(stdfs::is_directory(made));
  store.remove(rec.id, true);

  const stdfs::path absent = r.dir / "absent";
  auto strict = request("services:\n  web:\n    image: busybox:test\n    network_mode: none\n    command: [sleep, \"1000\"]\n"
                        "    volumes: [{type: bind, source: " + absent.string() + ", target: /data, bind: {create_host_path: false}}]\n");
  CHECK_THROWS_WITH(store.create(strict),
                    "service \"web\": invalid mount config for type \"bind\": bind source path does not exist: " + absent.string());
  CHECK_FALSE(stdfs::exists(absent));
  std::error_code ec;
  CHECK(stdfs::is_empty(r.root() / "containers", ec));
}

TEST_CASE("settings: an anonymous volume survives a recreate, -V renews it, -v deletes it") {
  Root r;
  Steps s(r, "services:\n  web:\n    image: busybox:test\n    network_mode: none\n    command: [sleep, \"1000\"]\n    volumes: [/cache]\n");
  auto first = s.create("web");
  const auto anon = anonymous_volumes(r.root(), first.id);
  REQUIRE(anon.size() == 1);
  const std::string volume = anon.at("/cache");
  const stdfs::path data = r.root() / "volumes" / volume / "_data";
  mycompose::fs::write_file_atomic(data / "kept", "yes\n", 0644);

  // Recreate: the old container goes, the new one under the same name gets its volume.
  s.state.remove(first.id, first.name);
  auto second = s.create("web");
  CHECK(second.id != first.id);
  CHECK(anonymous_volumes(r.root(), second.id) == anon);
  CHECK(mycompose::fs::read_file(data / "kept") == "yes\n");

  // -V: a fresh one; the old one stays behind, as docker leaves it.
  s.state.renew_anonymous_volumes = true;
  s.state.remove(second.id, second.name);
  auto third = s.create("web");
  const auto renewed = anonymous_volumes(r.root(), third.id);
  REQUIRE(renewed.size() == 1);
  CHECK(renewed.at("/cache") != volume);
  CHECK(stdfs::exists(data / "kept"));

  // down -v / rm -v: deleted with the container.
  s.state.remove_anonymous_volumes = true;
  s.state.remove(third.id, third.name);
  CHECK_FALSE(stdfs::exists(r.root() / "volumes" / renewed.at("/cache")));
}

TEST_CASE("settings: volumes_from sees the other container's files, read-only with :ro") {
  Root r;
  const stdfs::path out = out_dir(r);
  Steps s(r, R"(services:
  db:
    image: busybox:test
    network_mode: none
    command: ["sh", "-c", "echo rows > /data/table; exec sleep 1000"]
    volumes: [data:/data, /scratch]
  web:
    image: busybox:test
    network_mode: none
    volumes_from: ["db:ro"]
    volumes: [")" + out.string() + R"(:/out"]
    command: ["sh", "-c", "while [ ! -s /data/table ]; do sleep 0.05; done; cat /data/table > /out/table; echo x > /scratch/x || echo refused > /out/write; exec sleep 1000"]
volumes: {data: {}}
)");
  auto db = s.create("db");
  s.state.store.start(db.id);
  auto web = s.create("web");
  s.state.store.start(web.id);
  CHECK(wait_for_file(out / "table") == "rows\n");
  CHECK(wait_for_file(out / "write") == "refused\n");
}

TEST_CASE("settings: a volume subpath mounts a folder inside the volume, one outside is refused") {
  Root r;
  const stdfs::path out = out_dir(r);
  Steps s(r, R"(services:
  web:
    image: busybox:test
    network_mode: none
    volumes:
      - {type: volume, source: data, target: /site, volume: {subpath: www/public}}
      - ")" + out.string() + R"(:/out"
    command: ["sh", "-c", "cat /site/index.html > /out/index; exec sleep 1000"]
volumes: {data: {}}
)");
  const stdfs::path data = r.root() / "volumes/shop_data/_data";
  stdfs::create_directories(data / "www/public");
  mycompose::fs::write_file_atomic(data / "www/public/index.html", "<p>sub</p>\n", 0644);
  auto rec = s.create("web");
  s.state.store.start(rec.id);
  CHECK(wait_for_file(out / "index") == "<p>sub</p>\n");
  s.state.remove(rec.id, rec.name);

  // A path through a symlink is refused (the runtime binds by name, which the link could
  // redirect later); so is one that leaves the volume.
  stdfs::remove_all(data / "www");
  stdfs::create_directories(data / "www");
  stdfs::create_directories(data / "real");
  stdfs::create_directory_symlink("../real", data / "www/public");
  CHECK_THROWS_WITH(s.create("web"), "service \"web\": volume \"data\": subpath \"www/public\" goes through a symlink");
}
