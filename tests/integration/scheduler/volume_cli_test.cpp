// `volume ls|inspect|rm|prune` and `volumes` through the real binary, on a project brought
// up by the engine: labels recorded at creation, a volume in use refused by rm (naming the
// container), named volumes and their data surviving prune.
#include <sys/prctl.h>
#include <sys/wait.h>

#include <regex>

#include "../system_check_helpers.hpp"
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

}  // namespace

TEST_CASE("volume: ls, inspect, rm refused while in use, named volume data survives prune") {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  Root r;
  const stdfs::path proj = r.dir / "proj";
  stdfs::create_directories(proj);
  mycompose::fs::write_file_atomic(proj / "compose.yaml", R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: ["data:/data"]
volumes:
  data:
    labels: {tier: db}
)");
  Cli cli;
  cli.o.env = {{"MYCOMPOSE_ROOT", r.root().string()}};
  cli.o.cwd = proj.string();
  cli.o.timeout_seconds = 60;
  EngineGuard engine{cli.o.env};
  struct Down {
    Cli& cli;
    ~Down() { cli({"down", "-v"}); }
  } down_at_end{cli};

  auto up = cli({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);

  auto ls = cli({"volume", "ls"});
  CHECK(ls.exit_code == 0);
  CHECK(ls.out == "DRIVER    VOLUME NAME\nlocal     proj_data\n");
  CHECK(cli({"volume", "ls", "-q", "--filter", "label=com.docker.compose.project=proj"}).out == "proj_data\n");
  CHECK(cli({"volume", "ls", "-q", "--filter", "label=tier=web"}).out == "");
  CHECK(cli({"volume", "ls", "-q", "--filter", "dangling=true"}).out == "");
  CHECK(cli({"volume", "ls", "-q", "--filter", "dangling=false"}).out == "proj_data\n");
  CHECK(cli({"volumes"}).out == "DRIVER    VOLUME NAME\nlocal     proj_data\n");
  auto bad_filter = cli({"volume", "ls", "--filter", "colour=red"});
  CHECK(bad_filter.exit_code == 1);
  CHECK(bad_filter.err == "error: invalid filter 'colour'\n");

  auto inspect = cli({"volume", "inspect", "proj_data"});
  REQUIRE(inspect.exit_code == 0);
  auto j = nlohmann::json::parse(inspect.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["Name"] == "proj_data");
  CHECK(j[0]["Driver"] == "local");
  CHECK(j[0]["Scope"] == "local");
  CHECK(j[0]["Mountpoint"] == (r.root() / "volumes/proj_data/_data").string());
  CHECK(j[0]["Labels"] == nlohmann::json{{"com.docker.compose.project", "proj"}, {"com.docker.compose.volume", "data"}, {"tier", "db"}});
  CHECK(std::regex_match(j[0]["CreatedAt"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  CHECK(cli({"volume", "inspect", "-f", "{{.Name}} {{index .Labels \"tier\"}}", "proj_data"}).out == "proj_data db\n");

  auto in_use = cli({"volume", "rm", "proj_data"});
  CHECK(in_use.exit_code == 1);
  CHECK(in_use.err == "error: remove proj_data: volume is in use - [proj-web-1]\n");
  CHECK(stdfs::is_directory(r.root() / "volumes/proj_data/_data"));

  mycompose::fs::write_file_atomic(r.root() / "volumes/proj_data/_data/keep", "precious\n");
  auto down = cli({"down"});
  INFO(down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(cli({"volume", "ls", "-q", "--filter", "dangling=true"}).out == "proj_data\n");

  // Unused now, but named: neither volume prune (anonymous only) nor system prune without
  // --volumes takes it.
  auto prune = cli({"volume", "prune", "-f"});
  CHECK(prune.exit_code == 0);
  CHECK(prune.out == "Total reclaimed space: 0B\n");
  auto sys = cli({"system", "prune", "-f"});
  INFO(sys.err);
  CHECK(sys.exit_code == 0);
  CHECK(mycompose::fs::read_file(r.root() / "volumes/proj_data/_data/keep") == "precious\n");

  auto all = cli({"volume", "prune", "-a", "-f"});
  CHECK(all.out == "Deleted Volumes:\nproj_data\n\nTotal reclaimed space: 9B\n");
  CHECK_FALSE(stdfs::exists(r.root() / "volumes/proj_data"));

  auto missing = cli({"volume", "rm", "proj_data"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "error: get proj_data: no such volume\n");
  CHECK(cli({"volume", "rm", "-f", "proj_data"}).exit_code == 0);
  stop_engine(cli.o.env);
  mycompose::test::require_no_leaks(r.root());
}

TEST_CASE("volume: create with labels, rm, and a bad name") {
  Root r;
  Cli cli;
  cli.o.env = {{"MYCOMPOSE_ROOT", r.root().string()}};
  auto made = cli({"volume", "create", "--label", "a=b", "mine"});
  CHECK(made.exit_code == 0);
  CHECK(made.out == "mine\n");
  CHECK(cli({"volume", "ls", "-q", "--filter", "label=a=b"}).out == "mine\n");
  CHECK(cli({"volume", "ls", "--format", "json"}).out ==
        R"({"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"a=b","Links":"N/A","Mountpoint":")" +
            (r.root() / "volumes/mine/_data").string() + R"(","Name":"mine","Scope":"local","Size":"N/A","Status":"N/A"})" "\n");
  mycompose::fs::write_file_atomic(r.root() / "volumes/mine/_data/f", "12345678\n");
  auto df = cli({"system", "df"});
  INFO(df.err);
  CHECK(df.out.find("\nLocal Volumes   1         0         9B        9B (100%)\n") != std::string::npos);
  auto bad = cli({"volume", "create", "../x"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("includes invalid characters for a local volume name") != std::string::npos);
  CHECK(cli({"volume", "rm", "mine"}).out == "mine\n");
  CHECK(cli({"volume", "ls", "-q"}).out == "");
  mycompose::test::require_no_leaks(r.root());
}
