// docker compose pkg/e2e/compose_build_test.go (TestLocalComposeBuild, and the
// same subtests in today's build_test.go): build of named and unnamed images, --build-arg
// given or taken from the environment, build args in FROM, build as part of up, no rebuild
// on a second up, a rebuild with up --build (and the deprecated --workdir), --push skipping
// images without a name. Fixture fixtures/build-test with FROM busybox:test and busybox
// httpd in place of nginx:alpine.
//
// Upstream looks for the steps ("COPY static ...") in the command's output; mycompose prints
// the plain build progress on stderr, so these look at both streams.
// TestBuildSecrets, the ssh cases and the platform errors are in build_test.cpp. Left out:
// the DOCKER_BUILDKIT=1 and COMPOSE_BAKE variants (one builder here, the same runs).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace compose_build_e2e {

// pull_policy: never on nginx2 (upstream has none): its missing image is built, not first
// pulled as docker compose tries to, so tests reach no registry.
const char* kBuildTest = R"(services:
  nginx:
    build: nginx-build
    ports:
      - 80

  nginx2:
    build: nginx-build2
    image: custom-nginx
    pull_policy: never
)";

void put(const stdfs::path& file, const std::string& text) {
  stdfs::create_directories(file.parent_path());
  mycompose::fs::write_file_atomic(file, text);
}

// fixtures/build-test beside the project's compose.yaml.
void build_test_fixture(const Project& p) {
  put(p.dir / "nginx-build/Dockerfile",
      "FROM busybox:test\n\nARG FOO\nLABEL FOO=$FOO\nCOPY static /usr/share/nginx/html\n"
      "CMD [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/usr/share/nginx/html\"]\n");
  put(p.dir / "nginx-build/static/index.html", "<h1>Hello from Nginx container</h1>\n");
  put(p.dir / "nginx-build2/Dockerfile",
      "FROM busybox:test\n\nCOPY static2 /usr/share/nginx/html\n"
      "CMD [\"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/usr/share/nginx/html\"]\n");
  put(p.dir / "nginx-build2/static2/index.html", "<h1>Hello from Nginx container</h1>\n");
  put(p.dir / "multi-args/Dockerfile", "ARG IMAGE=666\nARG TAG=666\n\nFROM ${IMAGE}:${TAG}\nRUN echo \"SUCCESS\"\n");
  put(p.dir / "multi-args/compose.yaml",
      "services:\n  multiargs:\n    build:\n      context: .\n      args:\n        IMAGE: busybox\n        TAG: test\n"
      "      labels:\n        - RESULT=SUCCESS\n");
}

// GET http://127.0.0.1:PORT/ from the host with curl, retried while the server starts (up to
// 20 s). (The host's busybox wget crashes on some answers.)
std::string http_get(const std::string& port) {
  mycompose::test::RunResult r;
  for (int i = 0; i < 40; ++i) {
    r = mycompose::test::run({"curl", "-s", "--max-time", "2", "http://127.0.0.1:" + port + "/"});
    if (r.exit_code == 0) return r.out;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  INFO("curl: " << r.err);
  CHECK(r.exit_code == 0);
  return r.out;
}

}  // namespace compose_build_e2e

TEST_CASE("TestLocalComposeBuild: build named and unnamed images, --build-arg given and taken from the environment") {
  Project p(compose_build_e2e::kBuildTest, "build-test");
  compose_build_e2e::build_test_fixture(p);
  Cli bare = elsewhere(p);
  const std::string dir = p.dir.string();

  // build named and unnamed images
  auto res = bare.run({"--project-directory", dir, "build"});
  INFO(combined(res));
  REQUIRE(res.exit_code == 0);
  CHECK(combined(res).find("COPY static /usr/share/nginx/html") != std::string::npos);
  CHECK(bare.run({"image", "inspect", "build-test-nginx"}).exit_code == 0);
  CHECK(bare.run({"image", "inspect", "custom-nginx"}).exit_code == 0);

  // build with build-arg
  bare.run({"image", "rm", "-f", "build-test-nginx"});
  bare.run({"image", "rm", "-f", "custom-nginx"});
  bare.ok({"--project-directory", dir, "build", "--build-arg", "FOO=BAR"});
  CHECK(bare.ok({"image", "inspect", "build-test-nginx"}).find("\"FOO\": \"BAR\"") != std::string::npos);

  // build with build-arg set by env
  bare.run({"image", "rm", "-f", "build-test-nginx"});
  bare.run({"image", "rm", "-f", "custom-nginx"});
  Cli with_env = elsewhere(p, {{"FOO", "BAR"}});
  with_env.ok({"--project-directory", dir, "build", "--build-arg", "FOO"});
  CHECK(bare.ok({"image", "inspect", "build-test-nginx"}).find("\"FOO\": \"BAR\"") != std::string::npos);
}

TEST_CASE("TestLocalComposeBuild: build with multiple build-args, used in FROM, and build labels") {
  Project p(compose_build_e2e::kBuildTest, "build-test");
  compose_build_e2e::build_test_fixture(p);
  Cli bare = elsewhere(p, {{"DOCKER_BUILDKIT", "0"}});
  bare.run({"image", "rm", "-f", "multi-args-multiargs"});
  auto res = bare.run({"--project-directory", (p.dir / "multi-args").string(), "build"});
  INFO(combined(res));
  CHECK(res.exit_code == 0);
  CHECK(bare.ok({"image", "inspect", "multi-args-multiargs"}).find("\"RESULT\": \"SUCCESS\"") != std::string::npos);
}

TEST_CASE("TestLocalComposeBuild: build as part of up, no rebuild when up again, rebuild when up --build") {
  Project p(compose_build_e2e::kBuildTest, "build-test");
  compose_build_e2e::build_test_fixture(p);
  Cli bare = elsewhere(p);
  const std::string dir = p.dir.string();

  // build as part of up
  auto up = bare.run({"--project-directory", dir, "up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  CHECK(combined(up).find("COPY static /usr/share/nginx/html") != std::string::npos);
  CHECK(combined(up).find("COPY static2 /usr/share/nginx/html") != std::string::npos);
  std::string port = bare.ok({"--project-directory", dir, "port", "nginx", "80"});
  port = port.substr(port.rfind(':') + 1);
  while (!port.empty() && port.back() == '\n') port.pop_back();
  CHECK(compose_build_e2e::http_get(port).find("Hello from Nginx container") != std::string::npos);
  CHECK(bare.run({"image", "inspect", "build-test-nginx"}).exit_code == 0);
  CHECK(bare.run({"image", "inspect", "custom-nginx"}).exit_code == 0);

  // no rebuild when up again
  auto again = bare.run({"--project-directory", dir, "up", "-d"});
  INFO(combined(again));
  CHECK(again.exit_code == 0);
  CHECK(combined(again).find("COPY static") == std::string::npos);

  // rebuild when up --build, the folder given with the deprecated --workdir
  auto rebuild = bare.run({"--workdir", dir, "up", "-d", "--build"});
  INFO(combined(rebuild));
  REQUIRE(rebuild.exit_code == 0);
  CHECK(combined(rebuild).find("COPY static /usr/share/nginx/html") != std::string::npos);
  CHECK(combined(rebuild).find("COPY static2 /usr/share/nginx/html") != std::string::npos);

  // cleanup build project
  bare.ok({"--project-directory", dir, "down"});
  bare.ok({"image", "rm", "build-test-nginx"});
  bare.ok({"image", "rm", "custom-nginx"});
}

TEST_CASE("TestLocalComposeBuild: build --push ignored for unnamed images") {
  Project p(compose_build_e2e::kBuildTest, "build-test");
  compose_build_e2e::build_test_fixture(p);
  // nginx has no image: docker compose pushes only services that name theirs
  // (pkg/compose/build_bake.go bakeOutputs: push := options.Push && service.Image != "").
  auto res = p.run({"build", "--push", "nginx"});
  INFO(combined(res));
  CHECK(res.exit_code == 0);
  CHECK(res.out.find("failed to push") == std::string::npos);
  CHECK(combined(res).find("Pushing") == std::string::npos);
}
