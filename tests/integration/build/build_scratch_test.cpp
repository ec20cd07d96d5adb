// Builds FROM scratch with Debian's static busybox, RUN in our runtime, image config.
#include <catch2/catch.hpp>

#include "build_helpers.hpp"
#include "mycompose/net/network_manager.hpp"

using namespace buildtest;

TEST_CASE("build: FROM scratch with a static busybox, RUN output streamed, config and history recorded") {
  Sandbox sb;
  stdfs::copy_file("/bin/busybox", sb.ctx / "busybox");
  auto r = sb.build_text(
      "FROM scratch\n"
      "COPY busybox /bin/busybox\n"
      "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n"
      "ENV GREETING=hello\n"
      "WORKDIR /app\n"
      "RUN echo \"$GREETING from $(pwd)\" && echo made > made.txt\n"
      "CMD [\"cat\", \"made.txt\"]\n"
      "EXPOSE 8080\n"
      "LABEL org.example.kind=test\n",
      [] {
        BuildRequest q;
        q.tags = {"built:test"};
        q.name = "web";
        return q;
      }());
  CHECK(r.output().find("hello from /app\n") != std::string::npos);
  CHECK(sb.store.resolve("built:test") == r.id);
  CHECK(sb.image_file(r.id, "/app/made.txt") == "made\n");
  CHECK(sb.image_file(r.id, "/bin/sh") == "-> /bin/busybox");
  auto cfg = sb.store.image_config(r.id);
  CHECK(cfg["config"]["Cmd"] == nlohmann::json({"cat", "made.txt"}));
  CHECK(cfg["config"]["WorkingDir"] == "/app");
  CHECK(cfg["config"]["ExposedPorts"].contains("8080/tcp"));
  CHECK(cfg["config"]["Labels"]["org.example.kind"] == "test");
  CHECK(cfg["rootfs"]["diff_ids"].size() == 4);  // COPY, RUN, WORKDIR (made /app), RUN
  CHECK(cfg["history"].size() == 8);
  // The mount points the runtime needed (/proc, /dev, /etc/hosts …) are not in the layers.
  CHECK(!sb.image_file(r.id, "/proc"));
  CHECK(!sb.image_file(r.id, "/etc/hosts"));
  // Step lines as docker compose prints them.
  std::vector<std::string> steps;
  for (const auto& e : r.events)
    if (e.kind == BuildEvent::Kind::Step) steps.push_back(e.text);
  CHECK(steps == std::vector<std::string>{"[web 1/5] FROM scratch", "[web 2/5] COPY busybox /bin/busybox",
                                          "[web 3/5] RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]", "[web 4/5] WORKDIR /app",
                                          "[web 5/5] RUN echo \"$GREETING from $(pwd)\" && echo made > made.txt"});
}

TEST_CASE("build: a failing RUN names the Dockerfile line and exit code") {
  Sandbox sb;
  sb.import_busybox();
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\n\nRUN echo out; exit 3\n"),
                      "Dockerfile:3: process \"/bin/sh -c echo out; exit 3\" did not complete successfully: exit code: 3");
}

TEST_CASE("build: RUN gets a network namespace of its own (lo + eth0), none only lo, host the host's") {
  Sandbox sb;
  sb.import_busybox();
  // The namespace's identity, not its interfaces: other tests may add veths to the host meanwhile.
  auto host_ns = stdfs::read_symlink("/proc/self/ns/net").string();
  const char* probe = "FROM busybox:test\nRUN readlink /proc/self/ns/net; cat /proc/net/dev | wc -l\n";
  auto own = sb.build_text(probe);
  CHECK(own.output().find(host_ns) == std::string::npos);
  CHECK(own.output().substr(own.output().find('\n') + 1) == "4\n");  // two header lines + lo + eth0
  BuildRequest q;
  q.network = "none";
  auto none = sb.build_text(probe, q);
  CHECK(none.output().find(host_ns) == std::string::npos);
  CHECK(none.output().substr(none.output().find('\n') + 1) == "3\n");  // two header lines + lo
  q.network = "host";
  q.no_cache = true;
  auto host = sb.build_text("FROM busybox:test\nRUN readlink /proc/self/ns/net\n", q);
  CHECK(host.output() == host_ns + "\n");
  // The build network went with the last step.
  CHECK_FALSE(mycompose::net::NetworkManager(sb.root).build_network());
}

TEST_CASE("build: build args, ARG before FROM, and USER resolved from the image") {
  Sandbox sb;
  sb.import_busybox();
  BuildRequest q;
  q.args["BASE"] = "busybox:test";
  q.args["WHO"] = "world";
  auto r = sb.build_text(
      "ARG BASE=none\n"
      "FROM ${BASE}\n"
      "ARG WHO=nobody\n"
      "ARG UNSET_DEFAULT=dflt\n"
      "USER app\n"
      "RUN echo \"hi $WHO $UNSET_DEFAULT $(id -u)\"\n",
      q);
  CHECK(r.output() == "hi world dflt 1000\n");
  // ARG values are not persisted in the image's environment.
  auto env = sb.store.image_config(r.id)["config"]["Env"].dump();
  CHECK(env.find("WHO") == std::string::npos);
}

TEST_CASE("build: a Dockerfile error names its line") {
  Sandbox sb;
  REQUIRE_THROWS_WITH(sb.build_text("FROM scratch\nCOPY missing.txt /x\n"),
                      "Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: missing.txt");
  REQUIRE_THROWS_WITH(sb.build_text("FROM scratch\nBOGUS x\n"), "Dockerfile:2: unknown instruction: BOGUS");
}

TEST_CASE("build: extra hosts reach RUN's /etc/hosts and history names the shell as buildkit does") {
  Sandbox sb;
  sb.import_busybox();
  BuildRequest q;
  q.extra_hosts = {"db.internal:10.1.2.3", "cache=10.1.2.4"};
  auto r = sb.build_text("FROM busybox:test\nRUN grep internal /etc/hosts; grep cache /etc/hosts\n", q);
  CHECK(r.output() == "10.1.2.3\tdb.internal\n10.1.2.4\tcache\n");
  auto history = sb.store.image_config(r.id)["history"];
  CHECK(history.back()["created_by"] == "RUN /bin/sh -c grep internal /etc/hosts; grep cache /etc/hosts # buildkit");
}

TEST_CASE("build: platform args are predefined, FROM --platform of the host uses the local image") {
  Sandbox sb;
  sb.import_busybox();
  auto r = sb.build_text("FROM --platform=$BUILDPLATFORM busybox:test\nARG TARGETOS\nARG TARGETARCH\nRUN echo $TARGETOS/$TARGETARCH\n");
  auto host = sb.store.image_config(*sb.store.resolve("busybox:test"));
  CHECK(r.output() == "linux/" + host["architecture"].get<std::string>() + "\n");
}
