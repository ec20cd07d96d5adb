// What Compose files ask of BuildKit beyond plain Dockerfiles (issue [P]): `# syntax=`,
// entitlements (RUN --security=insecure, RUN --network=host), ulimits, platforms,
// no_cache_filter, and additional contexts naming another service. What is not supported
// is refused with the line or key named, never ignored.
#include <catch2/catch.hpp>

#include "build_helpers.hpp"
#include "mycompose/image/registry.hpp"

using namespace buildtest;

namespace {

// The effective capability set printed by `grep CapEff /proc/self/status`.
std::uint64_t cap_eff(const std::string& output) {
  auto p = output.find("CapEff:");
  REQUIRE(p != std::string::npos);
  return std::stoull(output.substr(p + 7), nullptr, 16);
}

constexpr std::uint64_t kCapSysAdmin = 1ull << 21;

}  // namespace

TEST_CASE("build syntax: the docker/dockerfile frontend in any spelling is built, another frontend is refused with its line") {
  Sandbox sb;
  sb.import_busybox();
  for (const char* s : {"docker/dockerfile:1", "docker/dockerfile:1.7-labs", "docker.io/docker/dockerfile:experimental",
                        "docker/dockerfile-upstream:master", "docker/dockerfile:1@sha256:abc"})
    CHECK_NOTHROW(sb.build_text(std::string("# syntax = ") + s + "\nFROM busybox:test\nRUN true\n"));
  REQUIRE_THROWS_WITH(sb.build_text("# escape=\\\n# syntax=example/frontend:1\nFROM busybox:test\n"),
                      "Dockerfile:2: syntax \"example/frontend:1\" names another frontend; this builder only runs docker/dockerfile");
}

TEST_CASE("build entitlements: RUN --security=insecure needs security.insecure, then runs with every capability") {
  Sandbox sb;
  sb.import_busybox();
  const std::string df = "FROM busybox:test\nRUN --security=insecure grep CapEff /proc/self/status\n";
  REQUIRE_THROWS_WITH(sb.build_text(df), Catch::StartsWith("Dockerfile:2: RUN --security=insecure: security.insecure is not allowed"));
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --security=weird true\n"),
                      "Dockerfile:2: RUN --security=weird is not supported (sandbox, insecure)");
  BuildRequest req;
  req.entitlements = {"security.insecure"};
  auto r = sb.build_text(df, req);
  CHECK((cap_eff(r.output()) & kCapSysAdmin) != 0);
  // Now cached: still refused without the entitlement.
  REQUIRE_THROWS_WITH(sb.build_text(df), Catch::StartsWith("Dockerfile:2: RUN --security=insecure: security.insecure is not allowed"));
  auto sandboxed = sb.build_text("FROM busybox:test\nRUN --security=sandbox grep CapEff /proc/self/status\n", req);
  CHECK((cap_eff(sandboxed.output()) & kCapSysAdmin) == 0);
}

TEST_CASE("build entitlements: RUN --network=host is allowed by network.host, ulimits apply to RUN") {
  Sandbox sb;
  sb.import_busybox();
  const std::string df = "FROM busybox:test\nRUN --network=host cat /proc/net/dev\n";
  REQUIRE_THROWS_WITH(sb.build_text(df), Catch::StartsWith("Dockerfile:2: RUN --network=host: network.host is not allowed"));
  BuildRequest req;
  req.entitlements = {"network.host"};
  req.ulimits = {{"nofile", 1234, 2345}};
  req.no_cache = true;
  // A link only the host has: the step sees it on the host's network, not on its own.
  REQUIRE(std::system("ip link add mcbt-host0 type veth peer name mcbt-host1") == 0);
  struct Unlink {
    ~Unlink() { std::system("ip link del mcbt-host0 2>/dev/null"); }
  } unlink;
  auto r = sb.build_text(df + "RUN sh -c 'ulimit -n; ulimit -Hn'\n", req);
  const auto out = r.output();
  CHECK(out.find("mcbt-host0:") != std::string::npos);
  CHECK(out.find("1234\n2345\n") != std::string::npos);
  auto own = sb.build_text("FROM busybox:test\nRUN cat /proc/net/dev\n", req).output();
  CHECK(own.find("mcbt-host0:") == std::string::npos);
}

TEST_CASE("build platforms: the host's platform builds, another one is refused") {
  Sandbox sb;
  sb.import_busybox();
  auto host = mycompose::image::registry::default_platform().str();
  BuildRequest ok;
  ok.platforms = {host};
  CHECK_NOTHROW(sb.build_text("FROM busybox:test\nRUN true\n", ok));
  BuildRequest other;
  other.platforms = {host, host == "linux/arm64" ? "linux/amd64" : "linux/arm64"};
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN true\n", other),
                      Catch::StartsWith("build platform linux/") && Catch::Contains("is not supported: this builder builds for the host's platform"));
}

TEST_CASE("build no_cache_filter: the named stages are rebuilt, the others come from the cache") {
  Sandbox sb;
  sb.import_busybox();
  const std::string df =
      "FROM busybox:test AS deps\nRUN echo deps > /deps\n"
      "FROM busybox:test AS App\nCOPY --from=deps /deps /deps\nRUN echo app > /app\n";
  sb.build_text(df);
  BuildRequest req;
  req.no_cache_stages = {"app"};
  auto r = sb.build_text(df, req);
  CHECK(r.cached_steps() == std::vector<std::string>{"[deps 2/2] RUN echo deps > /deps"});
}

TEST_CASE("build cli: service:NAME additional contexts build that service first, privileged and entitlements from compose") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("compose.yaml",
           "name: demo\n"
           "services:\n"
           "  web:\n"
           "    build:\n"
           "      additional_contexts: {base: \"service:base\"}\n"
           "      privileged: true\n"
           "      dockerfile_inline: |\n"
           "        # syntax=docker/dockerfile:1\n"
           "        FROM base\n"
           "        COPY --from=base /base.txt /copied.txt\n"
           "        RUN --security=insecure grep CapEff /proc/self/status\n"
           "  base:\n"
           "    build:\n"
           "      dockerfile_inline: |\n"
           "        FROM busybox:test\n"
           "        RUN echo from-base > /base.txt\n");
  auto r = run_cli(sb, {"build", "web"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("[base 2/2] RUN echo from-base") < r.out.find("[web 2/3] COPY --from=base"));
  CHECK((cap_eff(r.out) & kCapSysAdmin) != 0);
  auto id = sb.store.resolve("demo-web");
  REQUIRE(id);
  CHECK(sb.image_file(*id, "/copied.txt") == "from-base\n");

  sb.write("compose.yaml",
           "name: demo\n"
           "services:\n"
           "  web:\n"
           "    build:\n"
           "      entitlements: [device.cdi]\n"
           "      dockerfile_inline: \"FROM busybox:test\\n\"\n");
  auto bad = run_cli(sb, {"build"});
  CHECK(bad.status != 0);
  CHECK(bad.err.find("service \"web\" build: entitlement \"device.cdi\" is not supported") != std::string::npos);
}

TEST_CASE("build mounts: cache mode/uid/gid and tmpfs size are applied, an option BuildKit has and we do not is refused") {
  Sandbox sb;
  sb.import_busybox();
  BuildRequest req;
  req.no_cache = true;
  auto r = sb.build_text(
      "FROM busybox:test\n"
      "RUN --mount=type=cache,id=c1,target=/cache,mode=0750,uid=1000,gid=1000,sharing=locked stat -c '%a %u %g' /cache\n"
      "RUN --mount=type=tmpfs,target=/t,size=1048576 sh -c 'head -c 2000000 /dev/zero > /t/f || echo full'\n",
      req);
  CHECK(r.output().find("750 1000 1000\n") == 0);
  CHECK(r.output().find("full\n") != std::string::npos);
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --mount=type=cache,target=/c,from=base true\n"),
                      "Dockerfile:2: RUN --mount type=cache,target=/c,from=base: option \"from\" is not supported for type=cache");
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --mount=type=cache,target=/c,sharing=wild true\n"),
                      Catch::EndsWith("sharing=wild: expected shared, private or locked"));
  REQUIRE_THROWS_WITH(sb.build_text("FROM busybox:test\nRUN --mount=type=npipe,target=/c true\n"),
                      Catch::EndsWith("RUN --mount type=npipe is not supported (bind, cache, tmpfs, secret and ssh are)"));
}

TEST_CASE("build cache local: cache_to exports the built image's steps, cache_from in another root finds them") {
  Sandbox first, second;
  first.import_busybox();
  second.import_busybox();
  const auto dir = first.dir / "exported-cache";
  const std::string df = "FROM busybox:test\nRUN echo one > /one\nRUN echo two > /two\n";
  BuildRequest to;
  to.cache_from = {dir};  // not there yet: the first build has no cache to read
  to.cache_to = dir;
  auto built = first.build_text(df, to);
  CHECK(built.count(BuildEvent::Kind::Cached) == 0);
  CHECK(stdfs::exists(dir / "image.tar"));
  BuildRequest from;
  from.cache_from = {dir};
  auto again = second.build_text(df, from);
  CHECK(again.count(BuildEvent::Kind::Cached) == 2);
  CHECK(again.output().empty());
  // The same layers (the base images differ in their import time, so the image ids do).
  CHECK(second.store.image_layers(again.id).back().chain_id == first.store.image_layers(built.id).back().chain_id);
  // Someone else's folder: a broken index is refused with the folder named.
  mycompose::fs::write_file_atomic(dir / "cache.json", "{\"version\":1,\"records\":[{\"key\":\"../../etc\",\"chain_id\":\"\"}]}");
  REQUIRE_THROWS_WITH(second.build_text(df, from), Catch::Contains("exported-cache/cache.json: a malformed record"));
}
