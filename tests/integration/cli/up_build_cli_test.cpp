// Images before containers, through the real binary: `up -d --build` builds a service's
// image "<project>-<service>" and runs it, a second `up -d` does not build, `--build` builds
// again from the cache (same image id), and a missing image that may be neither built
// (--no-build) nor pulled (pull_policy: never) fails naming the service before anything is created.
#include "integration/scheduler/cli_project_fixture.hpp"
#include "mycompose/image/store.hpp"

using namespace cli_project;

TEST_CASE("cli: up -d --build builds <project>-<service> and runs it, up -d keeps it, --build rebuilds from the cache") {
  Project p("services:\n  app:\n    build: .\n");
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\nRUN echo built > /built\nCMD [\"sleep\", \"1000\"]\n");
  p.o.timeout_seconds = 120;

  auto up = p.run({"up", "-d", "--build"});
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.out.find("RUN echo built > /built") != std::string::npos);  // the build display: stdout
  CHECK(up.err.find(" Service app  Built\n") != std::string::npos);
  CHECK(up.err.find(" Container proj-app-1  Started\n") != std::string::npos);
  // The build comes before the engine creates anything.
  CHECK(up.err.find("Service app  Built") < up.err.find("Network proj_default  Created"));
  mycompose::image::ImageStore images(p.r.root());
  auto id = images.resolve("proj-app");
  REQUIRE(id);
  ContainerStore store(p.r.root());
  auto containers = store.list();
  REQUIRE(containers.size() == 1);
  CHECK(containers[0].image_id == *id);

  auto again = p.run({"up", "-d"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.err == " Container proj-app-1  Running\n");

  auto rebuild = p.run({"up", "-d", "--build"});
  INFO(rebuild.err);
  CHECK(rebuild.exit_code == 0);
  CHECK(rebuild.out.find(" CACHED\n") != std::string::npos);  // the build display: stdout
  CHECK(rebuild.err.find(" Service app  Built\n") != std::string::npos);
  CHECK(images.resolve("proj-app") == id);
  CHECK(rebuild.err.find(" Container proj-app-1  Running\n") != std::string::npos);
}

TEST_CASE("cli: up --no-build with a missing image and pull_policy never with a missing image fail naming the service") {
  Project p(R"(services:
  web:
    build: .
  db:
    image: busybox:nope
    pull_policy: never
)");
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\n");

  auto no_build = p.run({"up", "-d", "--no-build", "web"});
  CHECK(no_build.exit_code == 1);
  CHECK(no_build.err == "error: service \"web\": No such image: proj-web (--no-build: not building it)\n");

  auto never = p.run({"up", "-d", "db"});
  CHECK(never.exit_code == 1);
  CHECK(never.err == "error: service \"db\": No such image: busybox:nope (pull_policy: never)\n");

  auto both = p.run({"up", "-d", "--build", "--no-build"});
  CHECK(both.exit_code == 1);
  CHECK(both.err == "error: --build and --no-build are incompatible\n");

  // Nothing was created: the engine was never asked.
  CHECK_FALSE(stdfs::exists(p.r.root() / "engine.sock"));
  CHECK_FALSE(mycompose::image::ImageStore(p.r.root()).resolve("proj-web"));
}
