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
  CHECK(first.err.find(" Container proj-db-1  Started\n") != std::string::npos);
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

TEST_CASE("cli run -d: prints the one-off's id, up leaves it alone, --no-deps, --name and -l") {
  Project p(kCompose);
  auto nodeps = p.run({"run", "--rm", "--no-deps", "client", "echo", "alone"});
  CHECK(nodeps.out == "alone\n");
  CHECK(names(p.store()).empty());

  const std::string id = p.ok({"run", "-d", "client", "sleep", "1000"});
  CHECK(std::regex_match(id, std::regex("[0-9a-f]{64}\n")));
  std::optional<mycompose::scheduler::ContainerRecord> rec;
  for (const auto& c : p.store().list())
    if (c.id + "\n" == id) rec = c;
  REQUIRE(rec);
  CHECK(std::regex_match(rec->name, std::regex("proj-client-run-[0-9a-f]{12}")));
  CHECK(rec->labels.at("com.docker.compose.oneoff") == "True");
  CHECK(p.store().state(rec->id).status == "running");

  p.ok({"up", "-d"});
  CHECK(p.store().state(rec->id).status == "running");  // up neither recreated nor removed it
  auto listed = names(p.store());
  CHECK(std::count(listed.begin(), listed.end(), "proj-client-1") == 1);

  const std::string custom_id = p.ok({"run", "-d", "--name", "custom", "-l", "team=ops", "client", "sleep", "1000"});
  auto custom = p.store().find("custom");
  REQUIRE(custom);
  CHECK(custom_id == custom->id + "\n");
  CHECK(custom->labels.at("team") == "ops");
  CHECK(custom->labels.at("com.docker.compose.oneoff") == "True");
}

TEST_CASE("cli run: waits for service_healthy and service_completed_successfully dependencies") {
  Project p(kGatedProject);
  // The one-off's first act reads what each dependency writes just before its condition holds.
  auto run = p.run({"run", "--rm", "app", "cat", "/out/ready", "/out/seed"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out == "ready\nseeded\n");
  CHECK(run.err.find("Container proj-db-1  Healthy") != std::string::npos);
  CHECK(run.err.find("Container proj-seed-1  Exited") != std::string::npos);
}

TEST_CASE("cli run: an unhealthy dependency fails run with compose's message, before the one-off is created") {
  Project p(R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
    healthcheck: {test: ["CMD", "cat", "/nope"], interval: 100ms, retries: 2}
  client:
    image: busybox:test
    depends_on: {db: {condition: service_healthy}}
)");
  auto run = p.run({"run", "--rm", "client", "echo", "never"});
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK(run.err.find("error: dependency failed to start: container proj-db-1 is unhealthy\n") != std::string::npos);
  CHECK(names(p.store()) == std::vector<std::string>{"proj-db-1"});
  // --no-deps does not wait.
  CHECK(p.ok({"run", "--rm", "--no-deps", "client", "echo", "alone"}) == "alone\n");
}

TEST_CASE("cli run: the one-off answers to its service name in DNS only with --use-aliases") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    networks: {default: {aliases: [www]}}
  probe:
    image: busybox:test
)");
  // Retries while the new endpoint reaches the DNS; the answer must come from `host`.
  auto fetch = [&](const std::string& host) {
    return p.run({"run", "--rm", "--no-deps", "probe", "sh", "-c",
                  "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://" + host + ":8080/ && exit 0; sleep 0.3; done; exit 1"});
  };
  const std::string plain = p.ok({"run", "-d", "web"});
  std::string plain_name;
  for (const auto& c : p.store().list())
    if (c.id + "\n" == plain) plain_name = c.name;
  REQUIRE_FALSE(plain_name.empty());
  CHECK(fetch(plain_name).out == "pong\n");  // by its container name, yes
  for (const char* name : {"web", "www"}) {
    auto r = p.run({"run", "--rm", "--no-deps", "probe", "wget", "-qO-", std::string("http://") + name + ":8080/"});
    INFO(name << ": " << r.err);
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("bad address") != std::string::npos);
  }
  p.ok({"run", "-d", "--use-aliases", "web"});
  CHECK(fetch("web").out == "pong\n");
  CHECK(fetch("www").out == "pong\n");
}

TEST_CASE("cli run --build: builds the service's image again, without it a missing image is built once") {
  Project p("services:\n  app:\n    build: .\n");
  p.o.timeout_seconds = 120;
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\nRUN echo one > /built\n");
  auto first = p.run({"run", "--rm", "app", "cat", "/built"});
  INFO(first.err);
  CHECK(first.out == "one\n");
  CHECK(first.err.find(" Service app  Built\n") != std::string::npos);

  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\nRUN echo two > /built\n");
  auto kept = p.run({"run", "--rm", "app", "cat", "/built"});
  CHECK(kept.out == "one\n");  // the image exists: not built again
  CHECK(kept.err.find("Built") == std::string::npos);
  auto rebuilt = p.run({"run", "--rm", "--build", "app", "cat", "/built"});
  INFO(rebuilt.err);
  CHECK(rebuilt.out == "two\n");
  auto both = p.run({"run", "--rm", "--build", "--no-build", "app"});
  CHECK(both.exit_code == 1);
  CHECK(both.err == "error: --build and --no-build are incompatible\n");
}
