// docker compose pkg/e2e/configs_test.go, ported: each config source (file, the CLI's
// environment, inline content) is mounted with its content by `run`, at its target, with
// its uid/gid.
#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

TEST_CASE("TestConfigFromEnv: file, environment and inline configs mount their content") {
  Project p(R"(services:
  from_env:
    image: busybox:test
    configs:
      - source: from_env
    command: cat /from_env
  from_file:
    image: busybox:test
    configs:
      - source: from_file
    command: cat /from_file
  inlined:
    image: busybox:test
    configs:
      - source: inlined
    command: cat /inlined
  target:
    image: busybox:test
    configs:
      - source: inlined
        target: /target
    command: cat /target
  uid:
    image: busybox:test
    configs:
      - source: from_file
        target: /target
        uid: "1024"
        gid: "1024"
    command: busybox ls -n /target
configs:
  from_env:
    environment: CONFIG
  from_file:
    file: config.txt
  inlined:
    content: This is my $CONFIG
)");
  mycompose::fs::write_file_atomic(p.dir / "config.txt", "This is my config file\n");
  Cli c = p;
  c.o.env["CONFIG"] = "config";
  auto out = [&](const std::string& service) {
    auto res = c.run({"run", "--rm", service});
    INFO(service << ": " << res.err);
    CHECK(res.exit_code == 0);
    return res.out;
  };
  CHECK(out("from_file").find("This is my config file") != std::string::npos);
  CHECK(out("from_env").find("config") != std::string::npos);
  CHECK(out("inlined").find("This is my config") != std::string::npos);
  CHECK(out("target").find("This is my config") != std::string::npos);
  CHECK(out("uid").find(" 1024 ") != std::string::npos);
}
