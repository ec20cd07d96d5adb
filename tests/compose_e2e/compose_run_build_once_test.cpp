// docker compose pkg/e2e/compose_run_build_once_test.go: `run --build` builds each
// pull_policy: build service once, the dependencies it starts included
// (fixtures/run-test/build-once*.yaml, FROM busybox:test in place of alpine). The Dockerfiles
// keep upstream's `$(date)` as written: docker compose leaves `$(` alone when it
// interpolates. Each build is counted by the text of its RUN step, or by the
// "naming to docker.io/library/IMAGE" line BuildKit's exporter prints once per image.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace run_build_once_e2e {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

const char* kBuildOnce = R"yaml(services:
  # pull_policy: build always rebuilds: built twice before the fix
  nginx:
    pull_policy: build
    build:
      dockerfile_inline: |
        FROM busybox:test
        RUN echo "Building nginx at $(date)" > /build-time.txt
        CMD sleep 3600
  curl:
    image: busybox:test
    depends_on:
      - nginx
    command: echo "curl service"
)yaml";

const char* kBuildOnceNested = R"yaml(services:
  db:
    pull_policy: build
    build:
      dockerfile_inline: |
        FROM busybox:test
        RUN echo "DB built at $(date)" > /db-build.txt
        CMD sleep 3600
  api:
    pull_policy: build
    build:
      dockerfile_inline: |
        FROM busybox:test
        RUN echo "API built at $(date)" > /api-build.txt
        CMD sleep 3600
    depends_on:
      - db
  app:
    pull_policy: build
    build:
      dockerfile_inline: |
        FROM busybox:test
        RUN echo "App built at $(date)" > /app-build.txt
        CMD echo "App running"
    depends_on:
      - api
)yaml";

const char* kBuildOnceNoDeps = R"yaml(services:
  simple:
    pull_policy: build
    build:
      dockerfile_inline: |
        FROM busybox:test
        RUN echo "Simple built at $(date)" > /build.txt
        CMD echo "Simple service"
)yaml";

}  // namespace run_build_once_e2e

TEST_CASE("TestRunBuildOnce: a pull_policy build dependency is built only once") {
  using run_build_once_e2e::count_of;
  const std::string name = "build-once-3f4a9b2c";
  Project p(run_build_once_e2e::kBuildOnce, name);
  auto down = p.run({"-p", name, "down", "--rmi", "local", "--remove-orphans"});
  INFO(combined(down));
  CHECK(down.exit_code == 0);

  auto res = p.run({"-p", name, "run", "--build", "--rm", "curl"});
  INFO(combined(res));
  REQUIRE(res.exit_code == 0);
  CHECK(count_of(combined(res), "Building nginx at") == 1);
  CHECK(combined(res).find("curl service") != std::string::npos);

  p.ok({"-p", name, "down", "--remove-orphans"});
}

TEST_CASE("TestRunBuildOnce: nested dependencies build only once each") {
  using run_build_once_e2e::count_of;
  const std::string name = "build-nested-3f4a9b2c";
  Project p(run_build_once_e2e::kBuildOnceNested, name);
  p.run({"-p", name, "down", "--rmi", "local", "--remove-orphans", "-v"});

  auto res = p.run({"-p", name, "--verbose", "run", "--build", "--rm", "app"});
  const std::string output = combined(res);
  INFO(output);
  REQUIRE(res.exit_code == 0);
  CHECK(count_of(output, "naming to docker.io/library/" + name + "-db") == 1);
  CHECK(count_of(output, "naming to docker.io/library/" + name + "-api") == 1);
  CHECK(count_of(output, "naming to docker.io/library/" + name + "-app") == 1);
  CHECK(output.find("App running") != std::string::npos);

  p.ok({"-p", name, "down", "--rmi", "local", "--remove-orphans", "-v"});
}

TEST_CASE("TestRunBuildOnce: a service with no dependencies builds once") {
  using run_build_once_e2e::count_of;
  const std::string name = "build-simple-3f4a9b2c";
  Project p(run_build_once_e2e::kBuildOnceNoDeps, name);
  auto down = p.run({"-p", name, "down", "--rmi", "local", "--remove-orphans"});
  INFO(combined(down));
  CHECK(down.exit_code == 0);

  auto res = p.run({"-p", name, "run", "--build", "--rm", "simple"});
  INFO(combined(res));
  REQUIRE(res.exit_code == 0);
  CHECK(count_of(combined(res), "Simple built at") == 1);
  CHECK(combined(res).find("Simple service") != std::string::npos);

  p.ok({"-p", name, "down", "--remove-orphans"});
}
