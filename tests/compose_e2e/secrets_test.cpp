// docker compose pkg/e2e/secrets_test.go, ported: a secret whose content is a variable of
// the CLI's environment (or of an included file's env_file) is mounted by `run`, with the
// uid, gid and mode asked for.
#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {
const char* kSecrets = R"(include:
  - path: child/compose.yaml
    env_file:
      - secret.env
services:
  foo:
    image: busybox:test
    secrets:
      - source: secret
        target: bar
        uid: "1005"
        gid: "1005"
        mode: 0440
    command: cat /run/secrets/bar
secrets:
  secret:
    environment: SECRET
)";

void write_child(const Project& p) {
  mycompose::fs::make_dirs(p.dir / "child", 0755);
  mycompose::fs::write_file_atomic(p.dir / "child" / "compose.yaml", R"(services:
  included:
    image: busybox:test
    secrets:
      - my-secret
    command: cat /run/secrets/my-secret
secrets:
  my-secret:
    environment: 'MY_SECRET'
)");
  mycompose::fs::write_file_atomic(p.dir / "secret.env", "MY_SECRET='this-is-secret'\n");
}
}  // namespace

TEST_CASE("TestSecretFromEnv: an environment secret from the CLI's environment, with uid/gid/mode") {
  Project p(kSecrets, "env-secret");
  write_child(p);
  Cli c = p;
  c.o.env["SECRET"] = "BAR";
  auto res = c.run({"run", "--rm", "foo"});
  INFO(res.err);
  REQUIRE(res.exit_code == 0);
  CHECK(res.out.find("BAR") != std::string::npos);
  auto ls = c.run({"run", "--rm", "foo", "busybox", "ls", "-aln", "/run/secrets/bar"});
  INFO(ls.err);
  CHECK(ls.out.find("-r--r-----    1 1005     1005") != std::string::npos);
}

TEST_CASE("TestSecretFromInclude: an environment secret from an included file's env_file") {
  Project p(kSecrets, "env-secret-include");
  write_child(p);
  auto res = p.run({"run", "--rm", "included"});
  INFO(res.err);
  REQUIRE(res.exit_code == 0);
  CHECK(res.out.find("this-is-secret") != std::string::npos);
}
