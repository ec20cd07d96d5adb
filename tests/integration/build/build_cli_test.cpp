// `mycompose build` on a Compose project: image names, build args, --no-cache, -q, errors.
#include <catch2/catch.hpp>

#include "build_helpers.hpp"

using namespace buildtest;

TEST_CASE("build cli: services are built as <project>-<service> or their image name, with compose and CLI build args") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("compose.yaml",
           "name: demo\n"
           "services:\n"
           "  web:\n"
           "    build:\n"
           "      context: ./web\n"
           "      args: {WHO: compose}\n"
           "    depends_on: [api]\n"
           "  api:\n"
           "    image: example/api:1\n"
           "    build:\n"
           "      dockerfile_inline: |\n"
           "        FROM busybox:test\n"
           "        RUN echo api-$$((40+2))\n"
           "  db:\n"
           "    image: busybox:test\n");
  sb.write("web/Dockerfile", "FROM busybox:test\nARG WHO\nRUN echo \"hello $WHO\"\n");
  auto r = run_cli(sb, {"build"});
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("[web 2/2] RUN echo \"hello $WHO\"") != std::string::npos);
  CHECK(r.out.find(" hello compose\n") != std::string::npos);
  CHECK(r.out.find(" api-42\n") != std::string::npos);
  CHECK(sb.store.resolve("demo-web"));
  CHECK(sb.store.resolve("example/api:1"));

  auto again = run_cli(sb, {"build", "--build-arg", "WHO=cli", "web"});
  REQUIRE(again.status == 0);
  CHECK(again.out.find(" hello cli\n") != std::string::npos);
  CHECK(again.out.find("api-") == std::string::npos);  // not asked for

  auto cached = run_cli(sb, {"build", "--with-dependencies", "web"});
  CHECK(cached.out.find("CACHED") != std::string::npos);
  CHECK(cached.out.find("#2 CACHED\n") != std::string::npos);  // api first (a dependency), cached
  CHECK(cached.out.find(" api-42\n") == std::string::npos);

  auto nocache = run_cli(sb, {"build", "--no-cache", "-q", "api"});
  CHECK(nocache.status == 0);
  CHECK(nocache.err.empty());
  CHECK(nocache.out.empty());
}

TEST_CASE("build cli: a Dockerfile error is printed with its line and exits 1") {
  Sandbox sb;
  sb.write("compose.yaml", "services:\n  web:\n    build: .\n");
  sb.write("Dockerfile", "FROM scratch\nCOPY nothing-here /x\n");
  auto r = run_cli(sb, {"build"});
  CHECK(r.status == 1);
  CHECK(r.err.find("error: Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: nothing-here\n") !=
        std::string::npos);
}
