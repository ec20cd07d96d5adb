// `mycompose up -d` and `down -v` through the real binary: the CLI starts the engine on
// demand, the engine converges the project (network, DNS, containers in order), a second
// up changes nothing, and down -v leaves no container, network or volume.
#include <sys/prctl.h>
#include <sys/wait.h>

#include "mycompose/net/network_manager.hpp"
#include "store_fixture.hpp"

using namespace store_test;

namespace {

// Stops the engine the CLI started, and reaps it: this test is the subreaper of what it
// starts (the machine's PID 1 may not reap orphans).
struct EngineGuard {
  std::map<std::string, std::string> env;
  ~EngineGuard() {
    mycompose::test::RunOptions o;
    o.env = env;
    mycompose::test::run({mycompose::test::mycompose_bin(), "engine", "stop"}, o);
    for (int i = 0; i < 500; ++i) {
      int status;
      pid_t p = ::waitpid(-1, &status, WNOHANG);
      if (p < 0) break;  // no children left
      if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
};

}  // namespace

TEST_CASE("cli: up -d starts the project through the engine, down -v removes all of it") {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  Root r;
  const stdfs::path proj = r.dir / "proj", out = r.dir / "out";
  stdfs::create_directories(proj);
  stdfs::create_directories(out);
  mycompose::fs::write_file_atomic(proj / "compose.yaml", R"(services:
  db:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
  web:
    image: busybox:test
    depends_on: [db]
    command: ["sh", "-c", "wget -qO- http://db:8080/ > /out/page; exec sleep 1000"]
    volumes: [")" + out.string() + R"(:/out", "data:/data"]
volumes: {data: {}}
)");
  mycompose::test::RunOptions o;
  o.env = {{"MYCOMPOSE_ROOT", r.root().string()}};
  o.cwd = proj.string();
  o.timeout_seconds = 60;
  EngineGuard engine{o.env};

  auto up = mycompose::test::run({mycompose::test::mycompose_bin(), "up", "-d"}, o);
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(up.err ==
        " \u2714 Network proj_default  Created\n \u2714 Volume proj_data  Created\n"
        " \u2714 Container proj-db-1  Created\n \u2714 Container proj-db-1  Started\n"
        " \u2714 Container proj-web-1  Created\n \u2714 Container proj-web-1  Started\n");
  CHECK(wait_for_file(out / "page") == "pong\n");  // web reached db by its service name

  auto again = mycompose::test::run({mycompose::test::mycompose_bin(), "up", "-d"}, o);
  CHECK(again.exit_code == 0);
  CHECK(again.err == " \u2714 Container proj-db-1  Running\n \u2714 Container proj-web-1  Running\n");

  auto down = mycompose::test::run({mycompose::test::mycompose_bin(), "down", "-v"}, o);
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK(down.err.find("Volume proj_data  Removed") != std::string::npos);
  ContainerStore store(r.root());
  CHECK(store.list().empty());
  CHECK(store.runtime().list().empty());
  CHECK(mycompose::net::NetworkManager(r.root()).list().empty());
  CHECK_FALSE(stdfs::exists(r.root() / "volumes/proj_data"));
}
