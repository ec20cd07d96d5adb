// `volume ls|inspect|rm|prune` and `volumes` through the real binary, on a project brought
// up by the engine: labels recorded at creation, a volume in use refused by rm (naming the
// container), named volumes and their data surviving prune.
#include <regex>

#include "cli_project_fixture.hpp"

using namespace cli_project;

TEST_CASE("volume: ls, inspect, rm refused while in use, named volume data survives prune") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: ["data:/data"]
volumes:
  data:
    labels: {tier: db}
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);

  auto ls = p.run({"volume", "ls"});
  CHECK(ls.exit_code == 0);
  CHECK(ls.out == "DRIVER    VOLUME NAME\nlocal     proj_data\n");
  CHECK(p.run({"volume", "ls", "-q", "--filter", "label=com.docker.compose.project=proj"}).out == "proj_data\n");
  CHECK(p.run({"volume", "ls", "-q", "--filter", "label=tier=web"}).out == "");
  CHECK(p.run({"volume", "ls", "-q", "--filter", "dangling=true"}).out == "");
  CHECK(p.run({"volume", "ls", "-q", "--filter", "dangling=false"}).out == "proj_data\n");
  CHECK(p.run({"volumes"}).out == "DRIVER    VOLUME NAME\nlocal     proj_data\n");
  auto bad_filter = p.run({"volume", "ls", "--filter", "colour=red"});
  CHECK(bad_filter.exit_code == 1);
  CHECK(bad_filter.err == "error: invalid filter 'colour'\n");

  auto inspect = p.run({"volume", "inspect", "proj_data"});
  REQUIRE(inspect.exit_code == 0);
  auto j = nlohmann::json::parse(inspect.out);
  REQUIRE(j.size() == 1);
  CHECK(j[0]["Name"] == "proj_data");
  CHECK(j[0]["Driver"] == "local");
  CHECK(j[0]["Scope"] == "local");
  CHECK(j[0]["Mountpoint"] == (p.r.root() / "volumes/proj_data/_data").string());
  auto labels = j[0]["Labels"];
  CHECK(labels["com.docker.compose.config-hash"].get<std::string>().size() == 64);  // as docker compose: the definition's hash
  labels.erase("com.docker.compose.config-hash");
  CHECK(labels == nlohmann::json{{"com.docker.compose.project", "proj"}, {"com.docker.compose.volume", "data"}, {"tier", "db"}});
  CHECK(std::regex_match(j[0]["CreatedAt"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  CHECK(p.run({"volume", "inspect", "-f", "{{.Name}} {{index .Labels \"tier\"}}", "proj_data"}).out == "proj_data db\n");

  auto in_use = p.run({"volume", "rm", "proj_data"});
  CHECK(in_use.exit_code == 1);
  CHECK(in_use.err == "error: remove proj_data: volume is in use - [proj-web-1]\n");
  CHECK(stdfs::is_directory(p.r.root() / "volumes/proj_data/_data"));

  mycompose::fs::write_file_atomic(p.r.root() / "volumes/proj_data/_data/keep", "precious\n");
  auto down = p.run({"down"});
  INFO(down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(p.run({"volume", "ls", "-q", "--filter", "dangling=true"}).out == "proj_data\n");

  // Unused now, but named: neither volume prune (anonymous only) nor system prune without
  // --volumes takes it.
  auto prune = p.run({"volume", "prune", "-f"});
  CHECK(prune.exit_code == 0);
  CHECK(prune.out == "Total reclaimed space: 0B\n");
  auto sys = p.run({"system", "prune", "-f"});
  INFO(sys.err);
  CHECK(sys.exit_code == 0);
  CHECK(mycompose::fs::read_file(p.r.root() / "volumes/proj_data/_data/keep") == "precious\n");

  auto all = p.run({"volume", "prune", "-a", "-f"});
  CHECK(all.out == "Deleted Volumes:\nproj_data\n\nTotal reclaimed space: 9B\n");
  CHECK_FALSE(stdfs::exists(p.r.root() / "volumes/proj_data"));

  auto missing = p.run({"volume", "rm", "proj_data"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "error: get proj_data: no such volume\n");
  CHECK(p.run({"volume", "rm", "-f", "proj_data"}).exit_code == 0);
  p.finish();
}

TEST_CASE("volume: create with labels, rm, and a bad name") {
  Root r;
  Cli cli(r.root());
  auto made = cli.run({"volume", "create", "--label", "a=b", "mine"});
  CHECK(made.exit_code == 0);
  CHECK(made.out == "mine\n");
  CHECK(cli.run({"volume", "ls", "-q", "--filter", "label=a=b"}).out == "mine\n");
  CHECK(cli.run({"volume", "ls", "--format", "json"}).out ==
        R"({"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"a=b","Links":"N/A","Mountpoint":")" +
            (r.root() / "volumes/mine/_data").string() + R"(","Name":"mine","Scope":"local","Size":"N/A","Status":"N/A"})" "\n");
  mycompose::fs::write_file_atomic(r.root() / "volumes/mine/_data/f", "12345678\n");
  auto df = cli.run({"system", "df"});
  INFO(df.err);
  CHECK(df.out.find("\nLocal Volumes   1         0         9B        9B (100%)\n") != std::string::npos);
  auto bad = cli.run({"volume", "create", "../x"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("includes invalid characters for a local volume name") != std::string::npos);
  CHECK(cli.run({"volume", "rm", "mine"}).out == "mine\n");
  CHECK(cli.run({"volume", "ls", "-q"}).out == "");
  mycompose::test::require_no_leaks(r.root());
}
