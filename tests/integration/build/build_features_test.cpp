// ADD <url> (from a loopback server), RUN --mount cache and bind, ONBUILD triggers.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <thread>

#include "build_helpers.hpp"
#include "mycompose/common/sha256.hpp"

using namespace buildtest;

namespace {

// An HTTP server on 127.0.0.1 for the life of the object.
struct LoopbackServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  int hits = 0;
  std::string body = "downloaded content\n";
  LoopbackServer() {
    server.Get("/files/data.txt", [this](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_content(body, "text/plain");
    });
    server.Get("/redirect", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/files/data.txt"); });
    port = server.bind_to_any_port("127.0.0.1");
    // bind_to_any_port already listens: connections wait in the backlog until the loop runs.
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~LoopbackServer() {
    server.stop();
    thread.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

}  // namespace

TEST_CASE("build features: ADD of a URL downloads it (mode 600), a changed download misses the cache") {
  LoopbackServer http;
  Sandbox sb;
  sb.import_busybox();
  std::string df = "FROM busybox:test\nADD " + http.url("/files/data.txt") + " /srv/\nADD " + http.url("/redirect") +
                   " /srv/renamed.txt\nRUN stat -c %a /srv/data.txt\n";
  auto r = sb.build_text(df);
  CHECK(sb.image_file(r.id, "/srv/data.txt") == "downloaded content\n");
  CHECK(sb.image_file(r.id, "/srv/renamed.txt") == "downloaded content\n");
  CHECK(r.output() == "600\n");
  CHECK(sb.build_text(df).count(BuildEvent::Kind::Cached) == 3);
  http.body = "new content\n";
  auto changed = sb.build_text(df);
  CHECK(changed.count(BuildEvent::Kind::Cached) == 0);
  CHECK(sb.image_file(changed.id, "/srv/data.txt") == "new content\n");
  auto sum = mycompose::sha256_hex("new content\n");
  CHECK_NOTHROW(sb.build_text("FROM busybox:test\nADD --checksum=sha256:" + sum + " " + http.url("/files/data.txt") + " /c.txt\n"));
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nADD --checksum=sha256:" + std::string(64, 'a') + " " + http.url("/files/data.txt") + " /c.txt\n"),
                      "Dockerfile:2: ADD data.txt: checksum mismatch: expected sha256:" + std::string(64, 'a') + ", got sha256:" + sum);
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nADD " + http.url("/missing") + " /x\n"),
                      "Dockerfile:2: ADD " + http.url("/missing") + ": HTTP status 404");
}

TEST_CASE("build features: RUN --mount=type=cache keeps its content between builds and out of the layer") {
  Sandbox sb;
  sb.import_busybox();
  auto first = sb.build_text("FROM busybox:test\nRUN --mount=type=cache,target=/cache echo one >> /cache/log && cat /cache/log\n");
  CHECK(first.output() == "one\n");
  BuildRequest q;
  q.no_cache = true;
  auto second = sb.build_text("FROM busybox:test\nRUN --mount=type=cache,target=/cache echo two >> /cache/log && cat /cache/log\n", q);
  CHECK(second.output() == "one\ntwo\n");
  CHECK(!sb.image_file(second.id, "/cache/log"));
  CHECK(!sb.image_file(second.id, "/cache"));  // the mount point is not left behind either
}

TEST_CASE("build features: RUN --mount=type=bind reads the context (read-only) and a stage") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("conf/app.conf", "setting=1\n");
  auto r = sb.build_text(
      "FROM busybox:test AS gen\n"
      "RUN echo generated > /gen.txt\n"
      "FROM busybox:test\n"
      "RUN --mount=type=bind,source=conf,target=/mnt/conf --mount=type=bind,from=gen,source=/gen.txt,target=/mnt/gen.txt "
      "cat /mnt/conf/app.conf /mnt/gen.txt && (touch /mnt/conf/new 2>/dev/null && echo writable || echo read-only)\n");
  CHECK(r.output() == "setting=1\ngenerated\nread-only\n");
  CHECK(!stdfs::exists(sb.ctx / "conf" / "new"));
  // Changing the bound file misses the cache of that RUN.
  sb.write("conf/app.conf", "setting=2\n");
  auto again = sb.build_text(
      "FROM busybox:test AS gen\n"
      "RUN echo generated > /gen.txt\n"
      "FROM busybox:test\n"
      "RUN --mount=type=bind,source=conf,target=/mnt/conf --mount=type=bind,from=gen,source=/gen.txt,target=/mnt/gen.txt "
      "cat /mnt/conf/app.conf /mnt/gen.txt && (touch /mnt/conf/new 2>/dev/null && echo writable || echo read-only)\n");
  CHECK(again.output() == "setting=2\ngenerated\nread-only\n");
}

TEST_CASE("build features: ONBUILD triggers run in the child build, not in the image that declares them") {
  Sandbox sb;
  sb.import_busybox();
  BuildRequest parent;
  parent.tags = {"parent:onbuild"};
  auto p = sb.build_text("FROM busybox:test\nONBUILD RUN echo trigger ran > /triggered\n", parent);
  CHECK(!sb.image_file(p.id, "/triggered"));
  CHECK(sb.store.image_config(p.id)["config"]["OnBuild"] == nlohmann::json({"RUN echo trigger ran > /triggered"}));
  auto child = sb.build_text("FROM parent:onbuild\nRUN cat /triggered\n");
  CHECK(child.output() == "trigger ran\n");
  CHECK(!sb.store.image_config(child.id)["config"].contains("OnBuild"));
}

TEST_CASE("build features: WORKDIR makes a missing folder as a layer, an existing one adds none") {
  Sandbox sb;
  sb.import_busybox();
  auto base_layers = sb.store.image_layers(*sb.store.resolve("busybox:test")).size();
  auto existing = sb.build_text("FROM busybox:test\nWORKDIR /tmp\n");
  CHECK(sb.store.image_layers(existing.id).size() == base_layers);
  auto made = sb.build_text("FROM busybox:test\nWORKDIR /made/deep\nCMD [\"pwd\"]\n");
  CHECK(sb.store.image_layers(made.id).size() == base_layers + 1);
  CHECK(sb.image_file(made.id, "/made/deep") == "<dir>");
  CHECK(sb.build_text("FROM busybox:test\nWORKDIR /made/deep\nCMD [\"pwd\"]\n").id == made.id);
}

TEST_CASE("build features: RUN --mount=type=tmpfs is empty, writable and not in the layer") {
  Sandbox sb;
  sb.import_busybox();
  auto r = sb.build_text("FROM busybox:test\nRUN --mount=type=tmpfs,target=/scratch echo x > /scratch/f && cat /scratch/f\n");
  CHECK(r.output() == "x\n");
  CHECK(!sb.image_file(r.id, "/scratch"));
}

TEST_CASE("build features: step folders a killed builder left behind are removed by the next build") {
  Sandbox sb;
  auto stale = sb.root / "build" / "tmp" / "999999999-deadbeef";  // no such pid
  stdfs::create_directories(stale / "upper");
  auto live = sb.root / "build" / "tmp" / (std::to_string(::getpid()) + "-cafe");
  stdfs::create_directories(live);
  sb.build_text("FROM scratch\nLABEL a=b\n");
  CHECK(!stdfs::exists(stale));
  CHECK(stdfs::exists(live));  // its builder (this process) is alive
}
