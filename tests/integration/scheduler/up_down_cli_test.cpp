// `mycompose up -d` and `down -v` through the real binary: the CLI starts the engine on
// demand, the engine converges the project (network, DNS, containers in order), a second
// up changes nothing, and down -v leaves no container, network or volume.
#include "cli_project_fixture.hpp"
#include "mycompose/net/network_manager.hpp"

using namespace cli_project;

TEST_CASE("cli: up -d starts the project through the engine, down -v removes all of it") {
  Project p(R"(services:
  db:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
  web:
    image: busybox:test
    depends_on: [db]
    command: ["sh", "-c", "wget -qO- http://db:8080/ > /out/page; exec sleep 1000"]
    volumes: ["@OUT@:/out", "data:/data"]
volumes: {data: {}}
)");

  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  // docker compose's plain lines (stderr is no terminal): every event, working ones too.
  CHECK(up.err ==
        " Network proj_default  Creating\n Network proj_default  Created\n Volume \"proj_data\"  Creating\n Volume \"proj_data\"  Created\n"
        " Container proj-db-1  Creating\n Container proj-db-1  Created\n"
        " Container proj-db-1  Starting\n Container proj-db-1  Started\n"
        " Container proj-web-1  Creating\n Container proj-web-1  Created\n"
        " Container proj-web-1  Starting\n Container proj-web-1  Started\n");
  CHECK(wait_for_file(p.out / "page") == "pong\n");  // web reached db by its service name

  auto again = p.run({"up", "-d"});
  CHECK(again.exit_code == 0);
  CHECK(again.err == " Container proj-db-1  Running\n Container proj-web-1  Running\n");

  auto down = p.run({"down", "-v"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK(down.err.find("Volume proj_data  Removed") != std::string::npos);
  ContainerStore store(p.r.root());
  CHECK(store.list().empty());
  CHECK(store.runtime().list().empty());
  CHECK(mycompose::net::NetworkManager(p.r.root()).list().empty());
  CHECK_FALSE(stdfs::exists(p.r.root() / "volumes/proj_data"));
}
