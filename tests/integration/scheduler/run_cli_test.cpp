// `mycompose run` through the real binary: a one-off container of a service with run's
// overrides, its dependencies started, on the project network; stdio, exit status, --rm
// leaving nothing, -d printing the name, and up leaving one-off containers alone.
#include <regex>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kCompose = R"(services:
  db:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
  client:
    image: busybox:test
    depends_on: [db]
    command: ["echo", "the service's command"]
    environment: {FOO: from-service}
    restart: always
)";

std::vector<std::string> names(const ContainerStore& store) {
  std::vector<std::string> out;
  for (const auto& c : store.list()) out.push_back(c.name);
  return out;
}

}  // namespace

TEST_CASE("cli run --rm: overrides, stdio and exit status, dependencies started, nothing left behind") {
  Project p(kCompose);
  auto first = p.run({"run", "--rm", "client", "sh", "-c", "echo $FOO; echo to-stderr >&2; exit 3"});
  INFO(first.err);
  CHECK(first.exit_code == 3);
  CHECK(first.out == "from-service\n");
  CHECK(first.err.find(" \u2714 Container proj-db-1  Started\n") != std::string::npos);
  CHECK(first.err.find("to-stderr\n") != std::string::npos);
  CHECK(first.err.find("client-run") == std::string::npos);  // no progress lines of its own
  // --rm: only the dependency is left; no runtime state, FIFO folder or anonymous volume.
  CHECK(names(p.store()) == std::vector<std::string>{"proj-db-1"});
  CHECK(p.store().runtime().list().size() == 1);
  CHECK((!stdfs::exists(p.r.root() / "tmp") || stdfs::is_empty(p.r.root() / "tmp")));

  CHECK(p.ok({"run", "--rm", "client"}) == "the service's command\n");
  CHECK(p.ok({"run", "--rm", "-e", "FOO=flag", "-e", "BAR=2", "-w", "/etc", "-u", "1000:1001", "client", "sh", "-c",
              "echo $FOO $BAR $PWD $(busybox id -u):$(busybox id -g)"}) == "flag 2 /etc 1000:1001\n");
  CHECK(p.ok({"run", "--rm", "--entrypoint", "sh -c", "client", "echo from the entrypoint"}) == "from the entrypoint\n");
  CHECK(p.ok({"run", "--rm", "-T", "client", "cat"}, "through stdin\n") == "through stdin\n");
  CHECK(p.ok({"run", "--rm", "-v", "./shared:/shared", "client", "sh", "-c", "echo written > /shared/f"}).empty());
  CHECK(mycompose::fs::read_file(p.dir / "shared/f") == "written\n");
  // The project network and its DNS: the one-off reaches db by its service name.
  CHECK(p.ok({"run", "--rm", "client", "sh", "-c",
              "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://db:8080/ && exit 0; sleep 0.3; done; exit 1"}) == "pong\n");
  auto missing = p.run({"run", "--rm", "client", "nosuchprogram"});
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("nosuchprogram") != std::string::npos);
  CHECK(names(p.store()) == std::vector<std::string>{"proj-db-1"});
}

TEST_CASE("cli run -d: prints the one-off's name, up leaves it alone, --no-deps, --name and -l") {
  Project p(kCompose);
  auto nodeps = p.run({"run", "--rm", "--no-deps", "client", "echo", "alone"});
  CHECK(nodeps.out == "alone\n");
  CHECK(names(p.store()).empty());

  const std::string name = p.ok({"run", "-d", "client", "sleep", "1000"});
  CHECK(std::regex_match(name, std::regex("proj-client-run-[0-9a-f]{12}\n")));
  auto rec = p.store().find(name.substr(0, name.size() - 1));
  REQUIRE(rec);
  CHECK(rec->labels.at("com.docker.compose.oneoff") == "True");
  CHECK(p.store().state(rec->id).status == "running");

  p.ok({"up", "-d"});
  CHECK(p.store().state(rec->id).status == "running");  // up neither recreated nor removed it
  auto listed = names(p.store());
  CHECK(std::count(listed.begin(), listed.end(), "proj-client-1") == 1);

  CHECK(p.ok({"run", "-d", "--name", "custom", "-l", "team=ops", "client", "sleep", "1000"}) == "custom\n");
  auto custom = p.store().find("custom");
  REQUIRE(custom);
  CHECK(custom->labels.at("team") == "ops");
  CHECK(custom->labels.at("com.docker.compose.oneoff") == "True");
}
