// `network ls|inspect|rm|prune` and `system prune` through the real binary and the engine:
// an attached network is refused by rm (naming the container), unused ones go; system
// prune removes stopped containers and unused images but keeps what running containers use.
#include "cli_project_fixture.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/net/network_manager.hpp"

using namespace cli_project;

namespace {

mycompose::net::NetworkSpec spec_named(const std::string& name) {
  mycompose::net::NetworkSpec s;
  s.name = name;
  return s;
}

}  // namespace

TEST_CASE("network: ls and inspect show the project network, rm refuses it while attached, unused ones go") {
  Project p("services:\n  web:\n    image: busybox:test\n    command: [sleep, '1000']\n");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  {
    mycompose::net::NetworkManager nm(p.r.root());
    nm.create(spec_named("lonely"));
    nm.create(spec_named("spare"));
  }
  auto id = mycompose::net::NetworkManager(p.r.root()).get("proj_default")->id;

  auto ls = p.run({"network", "ls"});
  INFO(ls.err);
  CHECK(ls.out.substr(0, ls.out.find('\n')) == "NETWORK ID     NAME           DRIVER    SCOPE");
  CHECK(ls.out.find(id.substr(0, 12) + "   proj_default   bridge    local\n") != std::string::npos);
  CHECK(p.run({"network", "ls", "-q", "--no-trunc", "--filter", "name=proj"}).out == id + "\n");
  CHECK(p.run({"network", "ls", "--format", "json", "--filter", "dangling=true", "-q"}).out.size() == 2 * 13);

  auto inspect = p.run({"network", "inspect", "proj_default"});
  REQUIRE(inspect.exit_code == 0);
  auto j = nlohmann::json::parse(inspect.out);
  CHECK(j[0]["Name"] == "proj_default");
  CHECK(j[0]["Id"] == id);
  CHECK(j[0]["Driver"] == "bridge");
  REQUIRE(j[0]["Containers"].size() == 1);
  CHECK(j[0]["Containers"].begin().value()["Name"] == "proj-web-1");
  CHECK(p.run({"network", "inspect", "-f", "{{.Name}} {{.Driver}}", "lonely"}).out == "lonely bridge\n");

  auto refused = p.run({"network", "rm", "proj_default"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err == "error: error while removing network: network proj_default id " + id +
                           " has active endpoints (proj-web-1)\n");
  CHECK(mycompose::net::NetworkManager(p.r.root()).get("proj_default"));

  auto rm = p.run({"network", "rm", "lonely"});
  CHECK(rm.exit_code == 0);
  CHECK(rm.out == "lonely\n");
  auto missing = p.run({"network", "rm", "lonely"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "error: network lonely not found\n");
  CHECK(p.run({"network", "rm", "-f", "lonely"}).exit_code == 0);

  auto prune = p.run({"network", "prune", "-f"});
  CHECK(prune.exit_code == 0);
  CHECK(prune.out == "Deleted Networks:\nspare\n");
  CHECK(mycompose::net::NetworkManager(p.r.root()).get("proj_default"));

  auto down = p.run({"down"});
  CHECK(down.exit_code == 0);
  p.finish();
}

TEST_CASE("system prune: stopped containers, unused networks and images go, a running container keeps its image, network and volume") {
  Project p(R"(services:
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
    mycompose::fs::write_file_atomic(p.r.dir / "image-rootfs/other", "other\n");
    auto tar = mycompose::test::run({"tar", "--owner=0", "--group=0", "-C", (p.r.dir / "image-rootfs").string(), "-cf",
                                     (p.r.dir / "other.tar").string(), "."});
    REQUIRE(tar.exit_code == 0);
    auto imp = mycompose::test::run({mycompose::test::mycompose_bin(), "image", "import", (p.r.dir / "other.tar").string(), "other:1"}, p.o);
    REQUIRE(imp.exit_code == 0);
  }
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  ContainerStore store(p.r.root());
  auto once = store.find("proj-once-1");
  REQUIRE(once);
  for (int i = 0; i < 500 && store.state(once->id).status != "stopped"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(store.state(once->id).status == "stopped");
  mycompose::net::NetworkManager(p.r.root()).create(spec_named("spare"));

  auto prune = p.run({"system", "prune", "-a", "-f", "--volumes"});
  INFO(prune.err);
  REQUIRE(prune.exit_code == 0);
  CHECK(prune.out.rfind("Deleted Containers:\n" + once->id + "\n\nDeleted Networks:\nspare\n\nDeleted Images:\nuntagged: other:1\ndeleted: sha256:", 0) == 0);
  CHECK(prune.out.find("Total reclaimed space: ") != std::string::npos);
  CHECK_FALSE(store.find("proj-once-1"));
  auto web = store.find("proj-web-1");
  REQUIRE(web);
  CHECK(store.state(web->id).status == "running");
  mycompose::image::ImageStore images(p.r.root());
  CHECK(images.resolve("busybox:test"));
  CHECK_FALSE(images.resolve("other:1"));
  CHECK(stdfs::is_directory(p.r.root() / "volumes/proj_data/_data"));
  CHECK(mycompose::net::NetworkManager(p.r.root()).get("proj_default"));

  p.finish();
}
