// docker compose's pkg/e2e/commit_test.go, ported: `commit` makes an image of a service's
// container (its changes on top of its image, with -a, -m and -c applied), and --index picks
// the replica.
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kCommit = R"(services:
  service:
    image: busybox:test
    command: ["sleep", "1000"]
  service-with-replicas:
    image: busybox:test
    command: ["sleep", "1000"]
    deploy:
      replicas: 3
  check:
    image: ${CHECK_IMAGE:-busybox:test}
    profiles: ["check"]
)";

json inspect(const Project& p, const std::string& image) {
  auto r = p.run({"image", "inspect", image});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out).at(0);
}

// What `cmd` prints in a container of the committed image.
std::string run_in(Project& p, const std::string& image, const std::string& cmd) {
  auto o = p.o;
  p.o.env["CHECK_IMAGE"] = image;
  auto r = p.run({"run", "--rm", "-T", "check", "sh", "-c", cmd});
  p.o = o;
  INFO(r.err);
  CHECK(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("TestCommit: commit turns the service's container into a tagged image") {
  Project p(kCommit, "commit-test");
  p.ok({"up", "-d", "service"});
  CHECK(p.wait_state("commit-test-service-1", "running") == "running");
  // A file added, one removed (a whiteout in the upper layer) and a folder replaced (opaque).
  // busybox:test has the applets sh, sleep, cat, echo… as links; the others run as `busybox X`.
  p.ok({"exec", "-T", "service", "sh", "-c",
        "echo committed > /added && busybox rm /bin/wget && busybox rm -r /www && busybox mkdir /www && echo fresh > /www/new"});

  auto r = p.run({"commit", "-a", "John Hannibal Smith <hannibal@a-team.com>", "-c", "ENV DEBUG=true", "-m", "sample commit",
                  "service", "commit-test:latest"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("Container commit-test-service-1") != std::string::npos);

  const json image = inspect(p, "commit-test:latest");
  CHECK(image["Author"] == "John Hannibal Smith <hannibal@a-team.com>");
  CHECK(image["Comment"] == "sample commit");
  const auto env = image["Config"]["Env"].get<std::vector<std::string>>();
  CHECK(std::find(env.begin(), env.end(), "DEBUG=true") != env.end());
  CHECK(image["Config"]["Cmd"] == json::array({"sleep", "1000"}));
  CHECK(image["RootFS"]["Layers"].size() == inspect(p, "busybox:test")["RootFS"]["Layers"].size() + 1);
  // The container keeps running: commit paused it only while reading its changes.
  CHECK(p.wait_state("commit-test-service-1", "running") == "running");

  CHECK(run_in(p, "commit-test:latest", "cat /added; test -e /bin/wget || echo no-wget; cat /www/new; test -e /www/index.html || echo no-index; echo $DEBUG") ==
        "committed\nno-wget\nfresh\nno-index\ntrue\n");
  p.run({"image", "rm", "-f", "commit-test:latest"});
}

TEST_CASE("TestCommitWithReplicas: commit --index picks the requested replica") {
  Project p(kCommit, "commit-replicas");
  p.ok({"up", "-d", "service-with-replicas"});
  CHECK(p.ps().size() == 3);
  p.ok({"exec", "-T", "--index", "2", "service-with-replicas", "sh", "-c", "echo two > /replica"});

  p.ok({"commit", "-m", "sample commit", "--index=1", "service-with-replicas", "commit-replicas:1"});
  p.ok({"commit", "-m", "sample commit", "--index=2", "service-with-replicas", "commit-replicas:2"});
  inspect(p, "commit-replicas:1");
  inspect(p, "commit-replicas:2");
  CHECK(run_in(p, "commit-replicas:1", "cat /replica 2>/dev/null || echo none") == "none\n");
  CHECK(run_in(p, "commit-replicas:2", "cat /replica") == "two\n");

  // An index with no container: docker compose's message, and no image.
  auto r = p.run({"commit", "--index=7", "service-with-replicas", "commit-replicas:7"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("service \"service-with-replicas\" is not running container #7") != std::string::npos);
  CHECK(p.run({"image", "inspect", "commit-replicas:7"}).exit_code != 0);
  p.run({"image", "rm", "-f", "commit-replicas:1"});
  p.run({"image", "rm", "-f", "commit-replicas:2"});
}

TEST_CASE("TestCommit: a link the container made is committed as a link, never followed") {
  Project p(kCommit, "commit-link");
  p.ok({"up", "-d", "service"});
  CHECK(p.wait_state("commit-link-service-1", "running") == "running");
  p.ok({"exec", "-T", "service", "sh", "-c", "busybox ln -s / /hostroot && busybox ln -s /etc/shadow /shadow"});
  p.ok({"commit", "service", "commit-link:latest"});
  CHECK(run_in(p, "commit-link:latest", "busybox readlink /hostroot; busybox readlink /shadow") == "/\n/etc/shadow\n");
  p.run({"image", "rm", "-f", "commit-link:latest"});
}
