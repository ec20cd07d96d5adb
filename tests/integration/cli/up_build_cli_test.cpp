// Images before containers, through the real binary: `up -d --build` builds a service's
// image "<project>-<service>" and runs it, a second `up -d` does not build, `--build` builds
// again from the cache (same image id), and a missing image that may be neither built
// (--no-build) nor pulled (pull_policy: never) fails naming the service before anything is created.
#include <sys/prctl.h>
#include <sys/wait.h>

#include "integration/scheduler/store_fixture.hpp"
#include "mycompose/image/store.hpp"

using namespace store_test;

namespace {

// Stops the engine the CLI started and reaps it (this test is the subreaper of what it starts).
struct EngineGuard {
  std::map<std::string, std::string> env;
  ~EngineGuard() {
    mycompose::test::RunOptions o;
    o.env = env;
    mycompose::test::run({mycompose::test::mycompose_bin(), "engine", "stop"}, o);
    for (int i = 0; i < 500; ++i) {
      int status;
      pid_t p = ::waitpid(-1, &status, WNOHANG);
      if (p < 0) break;
      if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

// Takes the project down (containers, network) even when a check failed half-way.
struct DownGuard {
  mycompose::test::RunOptions o;
  ~DownGuard() { mycompose::test::run({mycompose::test::mycompose_bin(), "down", "-v"}, o); }
};

mycompose::test::RunResult compose(const std::vector<std::string>& args, const mycompose::test::RunOptions& o) {
  std::vector<std::string> argv = {mycompose::test::mycompose_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return mycompose::test::run(argv, o);
}

}  // namespace

TEST_CASE("cli: up -d --build builds <project>-<service> and runs it, up -d keeps it, --build rebuilds from the cache") {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  Root r;
  const stdfs::path proj = r.dir / "proj";
  stdfs::create_directories(proj);
  mycompose::fs::write_file_atomic(proj / "Dockerfile", "FROM busybox:test\nRUN echo built > /built\nCMD [\"sleep\", \"1000\"]\n");
  mycompose::fs::write_file_atomic(proj / "compose.yaml", "services:\n  app:\n    build: .\n");
  mycompose::test::RunOptions o;
  o.env = {{"MYCOMPOSE_ROOT", r.root().string()}};
  o.cwd = proj.string();
  o.timeout_seconds = 120;
  EngineGuard engine{o.env};
  DownGuard down{o};

  auto up = compose({"up", "-d", "--build"}, o);
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.err.find("RUN echo built > /built") != std::string::npos);
  CHECK(up.err.find(" \u2714 Service app  Built\n") != std::string::npos);
  CHECK(up.err.find(" \u2714 Container proj-app-1  Started\n") != std::string::npos);
  // The build comes before the engine creates anything.
  CHECK(up.err.find("Service app  Built") < up.err.find("Network proj_default  Created"));
  mycompose::image::ImageStore images(r.root());
  auto id = images.resolve("proj-app");
  REQUIRE(id);
  ContainerStore store(r.root());
  auto containers = store.list();
  REQUIRE(containers.size() == 1);
  CHECK(containers[0].image_id == *id);

  auto again = compose({"up", "-d"}, o);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.err == " \u2714 Container proj-app-1  Running\n");

  auto rebuild = compose({"up", "-d", "--build"}, o);
  INFO(rebuild.err);
  CHECK(rebuild.exit_code == 0);
  CHECK(rebuild.err.find(" CACHED\n") != std::string::npos);
  CHECK(rebuild.err.find(" \u2714 Service app  Built\n") != std::string::npos);
  CHECK(images.resolve("proj-app") == id);
  CHECK(rebuild.err.find(" \u2714 Container proj-app-1  Running\n") != std::string::npos);
}

TEST_CASE("cli: up --no-build with a missing image and pull_policy never with a missing image fail naming the service") {
  Root r;
  const stdfs::path proj = r.dir / "proj";
  stdfs::create_directories(proj);
  mycompose::fs::write_file_atomic(proj / "Dockerfile", "FROM busybox:test\n");
  mycompose::fs::write_file_atomic(proj / "compose.yaml", R"(services:
  web:
    build: .
  db:
    image: busybox:nope
    pull_policy: never
)");
  mycompose::test::RunOptions o;
  o.env = {{"MYCOMPOSE_ROOT", r.root().string()}};
  o.cwd = proj.string();
  o.timeout_seconds = 60;

  auto no_build = compose({"up", "-d", "--no-build", "web"}, o);
  CHECK(no_build.exit_code == 1);
  CHECK(no_build.err == "error: service \"web\": No such image: proj-web (--no-build: not building it)\n");

  auto never = compose({"up", "-d", "db"}, o);
  CHECK(never.exit_code == 1);
  CHECK(never.err == "error: service \"db\": No such image: busybox:nope (pull_policy: never)\n");

  auto both = compose({"up", "-d", "--build", "--no-build"}, o);
  CHECK(both.exit_code == 1);
  CHECK(both.err == "error: --build and --no-build are incompatible\n");

  // Nothing was created: the engine was never asked.
  CHECK_FALSE(stdfs::exists(r.root() / "engine.sock"));
  CHECK_FALSE(mycompose::image::ImageStore(r.root()).resolve("proj-web"));
}
