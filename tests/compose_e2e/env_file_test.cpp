// docker compose pkg/e2e/env_file_test.go, ported: an env_file with `format: raw` keeps
// its values as written (quotes included). Plus the env_file cases issue 16 found: a
// missing env_file of a service that is not selected does not fail `up other`, and
// `required: false` files may be absent.
#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

TEST_CASE("TestRawEnvFile: format raw keeps quotes and everything after =") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: sh -c "echo $$TEST_VAR"
    env_file:
      - path: .env.raw
        format: raw
)");
  mycompose::fs::write_file_atomic(p.dir / ".env.raw", "TEST_VAR='{\"key\": \"value\"}'");
  auto res = p.run({"run", "--rm", "test"});
  INFO(res.err);
  REQUIRE(res.exit_code == 0);
  CHECK(res.out == "'{\"key\": \"value\"}'\n");
}

TEST_CASE("TestRawEnvFile (issue 16): a missing env_file fails only the services it belongs to") {
  Project p(R"(services:
  broken:
    image: busybox:test
    env_file: ./missing.env
  other:
    image: busybox:test
    command: sh -c true
    env_file:
      - path: ./absent.env
        required: false
)");
  auto all = p.run({"config"});
  CHECK(all.exit_code != 0);
  CHECK(all.err.find("missing.env") != std::string::npos);
  p.ok({"config", "other"});
  CHECK(p.ok({"config", "--services"}).find("broken") != std::string::npos);  // listing reads no env file
  p.ok({"up", "other"});
}
