// `network ls|inspect|rm|prune` and `system prune` through the real binary and the engine:
// an attached network is refused by rm (naming the container), unused ones go; system
// prune removes stopped containers and unused images but keeps what running containers use.
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../system_check_helpers.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/net/network_manager.hpp"
#include "store_fixture.hpp"

using namespace store_test;

namespace {

// Stops the engine the CLI started and reaps it (this test is the subreaper of what it starts).
void stop_engine(const std::map<std::string, std::string>& env) {
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

struct EngineGuard {
  std::map<std::string, std::string> env;
  ~EngineGuard() { stop_engine(env); }
};

struct Cli {
  mycompose::test::RunOptions o;
  mycompose::test::RunResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), mycompose::test::mycompose_bin());
    return mycompose::test::run(args, o);
  }
};

struct Down {
  const Cli& cli;
  ~Down() { cli({"down", "-v"}); }
};

mycompose::net::NetworkSpec spec_named(const std::string& name) {
  mycompose::net::NetworkSpec s;
  s.name = name;
  return s;
}

Cli project_cli(const Root& r, const std::string& yaml) {
  const stdfs::path proj = r.dir / "proj";
  stdfs::create_directories(proj);
  mycompose::fs::write_file_atomic(proj / "compose.yaml", yaml);
  Cli cli;
  cli.o.env = {{"MYCOMPOSE_ROOT", r.root().string()}};
  cli.o.cwd = proj.string();
  cli.o.timeout_seconds = 60;
  return cli;
}

}  // namespace

TEST_CASE("network: ls and inspect show the project network, rm refuses it while attached, unused ones go") {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  Root r;
  Cli cli = project_cli(r, "services:\n  web:\n    image: busybox:test\n    command: [sleep, '1000']\n");
  EngineGuard engine{cli.o.env};
  Down down_at_end{cli};
  auto up = cli({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  {
    mycompose::net::NetworkManager nm(r.root());
    nm.create(spec_named("lonely"));
    nm.create(spec_named("spare"));
  }
  auto id = mycompose::net::NetworkManager(r.root()).get("proj_default")->id;

  auto ls = cli({"network", "ls"});
  INFO(ls.err);
  CHECK(ls.out.substr(0, ls.out.find('\n')) == "NETWORK ID     NAME           DRIVER    SCOPE");
  CHECK(ls.out.find(id.substr(0, 12) + "   proj_default   bridge    local\n") != std::string::npos);
  CHECK(cli({"network", "ls", "-q", "--no-trunc", "--filter", "name=proj"}).out == id + "\n");
  CHECK(cli({"network", "ls", "--format", "json", "--filter", "dangling=true", "-q"}).out.size() == 2 * 13);

  auto inspect = cli({"network", "inspect", "proj_default"});
  REQUIRE(inspect.exit_code == 0);
  auto j = nlohmann::json::parse(inspect.out);
  CHECK(j[0]["Name"] == "proj_default");
  CHECK(j[0]["Id"] == id);
  CHECK(j[0]["Driver"] == "bridge");
  REQUIRE(j[0]["Containers"].size() == 1);
  CHECK(j[0]["Containers"].begin().value()["Name"] == "proj-web-1");
  CHECK(cli({"network", "inspect", "-f", "{{.Name}} {{.Driver}}", "lonely"}).out == "lonely bridge\n");

  auto refused = cli({"network", "rm", "proj_default"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err == "error: error while removing network: network proj_default id " + id +
                           " has active endpoints (proj-web-1)\n");
  CHECK(mycompose::net::NetworkManager(r.root()).get("proj_default"));

  auto rm = cli({"network", "rm", "lonely"});
  CHECK(rm.exit_code == 0);
  CHECK(rm.out == "lonely\n");
  auto missing = cli({"network", "rm", "lonely"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "error: network lonely not found\n");
  CHECK(cli({"network", "rm", "-f", "lonely"}).exit_code == 0);

  auto prune = cli({"network", "prune", "-f"});
  CHECK(prune.exit_code == 0);
  CHECK(prune.out == "Deleted Networks:\nspare\n");
  CHECK(mycompose::net::NetworkManager(r.root()).get("proj_default"));

  auto down = cli({"down"});
  CHECK(down.exit_code == 0);
  stop_engine(cli.o.env);
  mycompose::test::require_no_leaks(r.root());
}

TEST_CASE("system prune: stopped containers, unused networks and images go, a running container keeps its image, network and volume") {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  Root r;
  Cli cli = project_cli(r, R"(services:
  web:
    image: busybox:test
    command: [sleep, '1000']
    volumes: [data:/data]
  once:
    image: other:1
    command: [sh, -c, "exit 0"]
volumes: {data: {}}
)");
  {
    // A second image (busybox plus a file), used only by the container that exits at once.
    mycompose::fs::write_file_atomic(r.dir / "image-rootfs/other", "other\n");
    auto tar = mycompose::test::run({"tar", "--owner=0", "--group=0", "-C", (r.dir / "image-rootfs").string(), "-cf",
                                     (r.dir / "other.tar").string(), "."});
    REQUIRE(tar.exit_code == 0);
    auto imp = mycompose::test::run({mycompose::test::mycompose_bin(), "image", "import", (r.dir / "other.tar").string(), "other:1"}, cli.o);
    REQUIRE(imp.exit_code == 0);
  }
  EngineGuard engine{cli.o.env};
  Down down_at_end{cli};
  auto up = cli({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  ContainerStore store(r.root());
  auto once = store.find("proj-once-1");
  REQUIRE(once);
  for (int i = 0; i < 500 && store.state(once->id).status != "stopped"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(store.state(once->id).status == "stopped");
  mycompose::net::NetworkManager(r.root()).create(spec_named("spare"));

  auto prune = cli({"system", "prune", "-a", "-f", "--volumes"});
  INFO(prune.err);
  REQUIRE(prune.exit_code == 0);
  CHECK(prune.out.rfind("Deleted Containers:\n" + once->id + "\n\nDeleted Networks:\nspare\n\nDeleted Images:\nuntagged: other:1\ndeleted: sha256:", 0) == 0);
  CHECK(prune.out.find("Total reclaimed space: ") != std::string::npos);
  CHECK_FALSE(store.find("proj-once-1"));
  auto web = store.find("proj-web-1");
  REQUIRE(web);
  CHECK(store.state(web->id).status == "running");
  mycompose::image::ImageStore images(r.root());
  CHECK(images.resolve("busybox:test"));
  CHECK_FALSE(images.resolve("other:1"));
  CHECK(stdfs::is_directory(r.root() / "volumes/proj_data/_data"));
  CHECK(mycompose::net::NetworkManager(r.root()).get("proj_default"));

  auto down = cli({"down", "-v"});
  CHECK(down.exit_code == 0);
  stop_engine(cli.o.env);
  mycompose::test::require_no_leaks(r.root());
}
