// docker compose pkg/e2e/watch_test.go: `watch` and `up --watch` over develop.watch on inotify.
// TestWatch (sync of created, modified and deleted files, ignore patterns, folders, then
// sync+restart), TestWatchExec (sync+exec), TestWatchMultiServices (one change rebuilds three
// services), TestWatchIncludes (include patterns). Upstream's alpine/debian variants of
// TestWatch run the same steps on other images: busybox:test stands in for all.
// TestRebuildOnDotEnvWithExternalNetwork is left out: it waits for `--verbose`'s debug lines.
// Plus the refusals docker compose gives when nothing or something wrong is to be watched, and
// watch's own flags: --quiet (no build output) and --prune (the replaced images removed).
// busybox:test has only a few applets: the images link the ones the steps run (rm, which the
// sync runs in the container to remove what the host removed, as upstream; stat; ls).
#include <fstream>

#include "e2e_helpers.hpp"
#include "mycompose/image/store.hpp"

using namespace compose_e2e;

namespace {

// A condition polled until it holds (up to 60 s): the watch works asynchronously.
template <class F>
bool eventually(F f, int every_ms = 100) {
  for (int i = 0; i < 60000 / every_ms; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(every_ms));
  }
  return false;
}

void write_file(const stdfs::path& p, const std::string& text) {
  stdfs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// As upstream's fixtures/watch/compose.yaml (x-develop, the deprecated spelling it still
// uses), with the config folder of its sync+restart step.
const char* kWatch = R"(x-dev: &x-dev
  watch:
    - action: sync
      path: ./data
      target: /app/data
      ignore:
        - '*.foo'
        - ./ignored
    - action: sync+restart
      path: ./config
      target: /app/config

services:
  busybox:
    build:
      dockerfile_inline: |-
        FROM busybox:test
        RUN busybox mkdir -p /app/data /app/config && busybox ln -s busybox /bin/rm && busybox ln -s busybox /bin/stat
    init: true
    command: sleep 1000000
    x-develop: *x-dev
)";

}  // namespace

TEST_CASE("TestWatch: files created or changed and removed on the host follow into the container and ignored ones do not") {
  Project p(kWatch, "e2e-watch-busybox");
  const stdfs::path data = p.dir / "data", config = p.dir / "config";
  Background watch(p, {"watch", "busybox"}, "watch");
  stdfs::create_directories(data);

  auto cat = [&](const std::string& path) { return p.run({"exec", "busybox", "cat", path}).out; };
  auto has = [&](const std::string& path, const std::string& text) { return cat(path).find(text) != std::string::npos; };
  auto gone = [&](const std::string& path) {
    auto r = p.run({"exec", "busybox", "stat", path});
    return r.exit_code == 1 && r.err.find("No such file or directory") != std::string::npos;
  };
  // A fresh sentinel synced: everything written before it has been handled.
  int flushes = 0;
  auto flush = [&] {
    const std::string v = "sentinel-" + std::to_string(++flushes);
    write_file(data / "wait.txt", v + "\n");
    REQUIRE(eventually([&] { return has("/app/data/wait.txt", v); }));
  };

  INFO("watch stdout:\n" << watch.out() << "\nstderr:\n" << watch.err());
  // Until the watch is up, the file is written again and again, once a second as upstream
  // (changes closer together than the 500 ms quiet period make one batch that waits).
  REQUIRE(eventually(
      [&] {
        write_file(data / "hello.txt", "hello world\n");
        return has("/app/data/hello.txt", "hello world");
      },
      1000));
  CHECK(watch.running());
  CHECK(watch.out().find("Watch enabled\n") != std::string::npos);
  CHECK(matches(watch.out(), "Syncing service \"busybox\" after [0-9]+ changes were detected\n"));

  write_file(data / "hello.txt", "hello watch\n");
  CHECK(eventually([&] { return has("/app/data/hello.txt", "hello watch"); }));

  stdfs::remove(data / "hello.txt");
  flush();
  CHECK(gone("/app/data/hello.txt"));

  write_file(data / "data.foo", "ignored\n");
  write_file(data / "ignored" / "hello.txt", "ignored\n");
  flush();
  CHECK(gone("/app/data/data.foo"));
  CHECK(gone("/app/data/ignored"));

  stdfs::create_directories(data / "subdir");
  flush();
  CHECK(p.run({"exec", "busybox", "stat", "/app/data/subdir"}).exit_code == 0);

  write_file(data / "subdir" / "file.txt", "a\n");
  CHECK(eventually([&] { return has("/app/data/subdir/file.txt", "a"); }));
  for (const char* v : {"x\n", "y\n", "z\n"}) write_file(data / "subdir" / "file.txt", v);
  CHECK(eventually([&] { return has("/app/data/subdir/file.txt", "z"); }));
  for (const char* v : {"z\n", "y\n", "x\n"}) write_file(data / "subdir" / "file.txt", v);
  CHECK(eventually([&] { return has("/app/data/subdir/file.txt", "x"); }));

  stdfs::remove_all(data / "subdir");
  flush();
  CHECK(gone("/app/data/subdir"));

  // sync+restart: the file is synced and the service restarted.
  write_file(config / "file.config", "This is an updated config file\n");
  CHECK(eventually([&] { return watch.out().find("service(s) [\"busybox\"] restarted\n") != std::string::npos; }));
  CHECK(eventually([&] { return has("/app/config/file.config", "This is an updated config file"); }));
  CHECK(watch.running());
  watch.stop();
}

TEST_CASE("TestWatchExec: up --watch runs the sync+exec command in the container after the sync") {
  Project p(R"(services:
  test:
    build:
      dockerfile_inline: FROM busybox:test
    command: ["sh", "-c", "echo container is up; exec sleep 1000000"]
    volumes:
      - /data
    develop:
      watch:
        - path: .
          target: /data
          action: sync+exec
          exec:
            command: echo "SUCCESS"
)", "test_watch_exec");
  Background up(p, {"up", "--watch"}, "up");
  INFO("up stdout:\n" << up.out() << "\nstderr:\n" << up.err());
  REQUIRE(eventually([&] { return up.out().find("container is up") != std::string::npos; }));
  REQUIRE(eventually([&] { return up.out().find("Watch enabled") != std::string::npos; }));
  write_file(p.dir / "test", "test\n");
  CHECK(eventually([&] { return up.out().find("SUCCESS\n") != std::string::npos; }));
  // In up's output the watch speaks as docker compose's "#watch" logger.
  CHECK(matches(up.out(), " ⦿ Syncing service \"test\" after [0-9]+ changes were detected\n"));
  // The file went to the anonymous volume mounted at the target.
  CHECK(p.run({"exec", "test", "cat", "/data/test"}).out == "test\n");
  p.run({"kill", "-s", "9"});
  up.wait();
}

TEST_CASE("TestWatchMultiServices: one change rebuilds every service that watches it") {
  std::string yaml = "services:\n";
  for (const char* s : {"a", "b", "c"})
    yaml += std::string("  ") + s + ":\n    build:\n      dockerfile_inline: |\n        FROM busybox:test\n        RUN busybox mkdir /data\n        COPY test /data/" +
            s + "\n    command: sleep 1000000\n    develop:\n      watch:\n        - path: test\n          action: rebuild\n";
  Project p(yaml, "test_watch_rebuild");
  write_file(p.dir / "test", "test");
  Background up(p, {"up", "--watch"}, "up");
  INFO("up stdout:\n" << up.out() << "\nstderr:\n" << up.err());
  REQUIRE(eventually([&] { return up.out().find("Attaching to ") != std::string::npos; }));
  auto shows = [&](const std::string& service, const std::string& text) {
    return eventually([&] { return p.run({"exec", service, "cat", "/data/" + service}).out.find(text) != std::string::npos; });
  };
  for (const char* s : {"a", "b", "c"}) CHECK(shows(s, "test"));
  REQUIRE(eventually([&] { return up.out().find("Watch enabled") != std::string::npos; }));
  write_file(p.dir / "test", "updated");
  for (const char* s : {"a", "b", "c"}) CHECK(shows(s, "updated"));
  CHECK(up.out().find("Rebuilding service(s) [\"a\" \"b\" \"c\"] after changes were detected...") != std::string::npos);
  CHECK(up.out().find("service(s) [\"a\" \"b\" \"c\"] successfully built") != std::string::npos);
  p.run({"kill", "-s", "9"});
  up.wait();
}

TEST_CASE("TestWatchIncludes: only the paths an include pattern names are synced") {
  Project p(R"(services:
  a:
    build:
      dockerfile_inline: |
        FROM busybox:test
        RUN busybox mkdir /data/ && busybox ln -s busybox /bin/ls
    command: sleep 1000000
    develop:
      watch:
        - path: .
          include: A.*
          target: /data/
          action: sync
)", "test_watch_includes");
  Background up(p, {"up", "--watch"}, "up");
  INFO("up stdout:\n" << up.out() << "\nstderr:\n" << up.err());
  REQUIRE(eventually([&] { return up.out().find("Attaching to ") != std::string::npos; }));
  REQUIRE(eventually([&] { return up.out().find("Watch enabled") != std::string::npos; }));
  write_file(p.dir / "B.test", "test");
  write_file(p.dir / "A.test", "test");
  std::string ls;
  CHECK(eventually([&] { return (ls = p.run({"exec", "a", "ls", "/data/"}).out).find("A.test") != std::string::npos; }));
  CHECK(ls.find("B.test") == std::string::npos);
  p.run({"kill", "-s", "9"});
  up.wait();
}

TEST_CASE("TestWatch: watch and up --watch refuse a project with nothing to watch with docker compose's messages") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: sleep 1000000
)", "e2e-watch-none");
  auto w = p.run({"watch"});
  CHECK(w.exit_code != 0);
  CHECK(w.err.find("none of the selected services is configured for watch, consider setting a 'develop' section") != std::string::npos);
  auto up = p.run({"up", "--watch"});
  CHECK(up.exit_code != 0);
  CHECK(up.err.find("none of the selected services is configured for watch, see https://docs.docker.com/compose/how-tos/file-watch/") !=
        std::string::npos);
  // Refused before anything started.
  CHECK(p.ps().empty());
  auto detached = p.run({"up", "-d", "--watch"});
  CHECK(detached.exit_code != 0);
  CHECK(detached.err.find("--detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure, --attach, "
                          "--attach-dependencies or --watch") != std::string::npos);
}

TEST_CASE("TestWatch: a rebuild rule on a service without build is refused naming the service") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: sleep 1000000
    develop:
      watch:
        - path: ./src
          action: rebuild
)", "e2e-watch-nobuild");
  auto w = p.run({"watch"});
  CHECK(w.exit_code != 0);
  CHECK(w.err.find("can't watch service \"web\" with action rebuild without a build context") != std::string::npos);
  CHECK(p.ps().empty());
}

namespace {

const char* kRebuild = R"(services:
  app:
    build:
      dockerfile_inline: |
        FROM busybox:test
        COPY test /data
    command: sleep 1000000
    develop:
      watch:
        - path: test
          action: rebuild
)";

}  // namespace

TEST_CASE("watch --prune (the default): the image a rebuild replaced is removed once nothing uses it, --prune=false keeps it") {
  for (const bool prune : {true, false}) {
    DYNAMIC_SECTION("prune " << prune) {
      Project p(kRebuild, "watch-prune");
      write_file(p.dir / "test", "one");
      std::vector<std::string> args{"watch"};
      if (!prune) args.push_back("--prune=false");
      Background watch(p, args, "watch");
      INFO("watch stdout:\n" << watch.out() << "\nstderr:\n" << watch.err());
      REQUIRE(eventually([&] { return watch.out().find("Watch enabled") != std::string::npos; }));
      const mycompose::image::ImageStore images(p.r.root());
      const auto first = images.resolve("watch-prune-app");
      REQUIRE(first);
      write_file(p.dir / "test", "two");
      REQUIRE(eventually([&] { return p.run({"exec", "app", "cat", "/data"}).out == "two"; }));
      REQUIRE(eventually([&] { return watch.out().find("service(s) [\"app\"] successfully built") != std::string::npos; }));
      const auto second = images.resolve("watch-prune-app");
      REQUIRE(second);
      CHECK(*second != *first);
      if (prune) CHECK(eventually([&] { return !images.resolve(*first); }));
      else CHECK(images.resolve(*first) == first);  // left dangling
      watch.stop();
      if (!prune) p.run({"image", "rm", *first});
    }
  }
}

TEST_CASE("watch --quiet: neither the first build nor the rebuilds print their steps") {
  for (const bool quiet : {false, true}) {
    DYNAMIC_SECTION("quiet " << quiet) {
      Project p(kRebuild, "watch-quiet");
      write_file(p.dir / "test", "one");
      std::vector<std::string> args{"watch"};
      if (quiet) args.push_back("--quiet");
      Background watch(p, args, "watch");
      INFO("watch stdout:\n" << watch.out() << "\nstderr:\n" << watch.err());
      REQUIRE(eventually([&] { return watch.out().find("Watch enabled") != std::string::npos; }));
      write_file(p.dir / "test", "two");
      REQUIRE(eventually([&] { return watch.out().find("service(s) [\"app\"] successfully built") != std::string::npos; }));
      const std::string all = watch.out() + watch.err();
      CHECK((all.find("COPY test /data") == std::string::npos) == quiet);
      CHECK((all.find(" DONE ") == std::string::npos) == quiet);
      watch.stop();
    }
  }
}
