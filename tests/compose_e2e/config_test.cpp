// docker compose pkg/e2e/config_test.go, ported: `config` renders the resolved model
// (yaml and json), keeps variables with --no-interpolate (and says service selection is
// ignored), prints the model's variables, and lists resources with --no-consistency.
// TestConfigServicesFilter: `config --services --filter profile=…|label=…`. Also: a warning
// printed off a terminal is logrus' text form, as docker compose prints it.
// Left out: TestConfigHashMatchesContainerLabel (needs `docker inspect`).
#include <regex>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {
const char* kConfig = "services:\n  test:\n    image: busybox:test\n    ports:\n      - ${PORT:-8080}:80\n";
}

TEST_CASE("TestLocalComposeConfig: config renders the resolved model, interpolated or not") {
  Project p(kConfig);
  auto yaml = p.ok({"config"});
  CHECK(yaml.find("\n    ports:\n      - mode: ingress\n        target: 80\n        published: \"8080\"\n        protocol: tcp") !=
        std::string::npos);
  CHECK(p.ok({"config", "--format", "json"}).find("\"published\": \"8080\"") != std::string::npos);

  auto raw = p.run({"config", "--no-interpolate"});
  INFO(raw.err);
  REQUIRE(raw.exit_code == 0);
  CHECK(raw.out.find("- ${PORT:-8080}:80") != std::string::npos);

  auto selected = p.run({"config", "--no-interpolate", "test"});
  REQUIRE(selected.exit_code == 0);
  CHECK(selected.err.find("service filtering is not applied when --no-interpolate is set") != std::string::npos);
  CHECK(selected.out.find("- ${PORT:-8080}:80") != std::string::npos);

  CHECK(p.ok({"config", "--variables", "--format", "json"}).find(R"({
    "PORT": {
        "Name": "PORT",
        "DefaultValue": "8080",
        "PresenceValue": "",
        "Required": false
    }
})") != std::string::npos);
  CHECK(p.ok({"config", "--variables", "--format", "yaml"})
            .find("PORT:\n    name: PORT\n    defaultvalue: \"8080\"\n    presencevalue: \"\"\n    required: false") !=
        std::string::npos);
  auto vars = p.run({"config", "--variables", "test"});
  REQUIRE(vars.exit_code == 0);
  CHECK(vars.err.find("service filtering is not applied when --variables is set") != std::string::npos);
  CHECK(vars.out.find("PORT") != std::string::npos);
}

TEST_CASE("TestLocalComposeConfigNoConsistency: --no-consistency lists what a broken model declares") {
  Project p(R"(services:
  incomplete:
    image: busybox:test
    depends_on: [missing]
    volumes: [data:/data]
    networks: [internal]
    models: [llm]
  gated:
    image: busybox:test
    profiles: [extra]
volumes:
  data: {}
networks:
  internal: {}
models:
  llm:
    model: ai/example
)");
  CHECK(p.ok({"config", "--no-consistency", "--services"}).find("incomplete") != std::string::npos);
  CHECK(p.ok({"config", "--no-consistency", "--volumes"}).find("data") != std::string::npos);
  CHECK(p.ok({"config", "--no-consistency", "--networks"}).find("internal") != std::string::npos);
  CHECK(p.ok({"config", "--no-consistency", "--models"}).find("ai/example") != std::string::npos);
  CHECK(p.ok({"config", "--no-consistency", "--hash", "*"}).find("incomplete ") != std::string::npos);
  CHECK(p.ok({"--profile", "extra", "config", "--no-consistency", "--services"}).find("gated") != std::string::npos);
}

TEST_CASE("TestLocalComposeConfig (golden gaps): label_file, build.ssh, COMPOSE_PROJECT_NAME, modes, null command") {
  Project p(R"(name: golden
services:
  foo:
    image: busybox:test
    label_file: ./app.labels
    labels: {explicit: from-labels}
    build:
      context: .
      ssh: [default]
      tags: ["${COMPOSE_PROJECT_NAME}:1.0.0"]
    secrets:
      - source: s
        target: my_secret
        mode: 0440
  bar:
    image: busybox:test
    command: null
    entrypoint: null
secrets:
  s:
    file: ./secret_data
)");
  mycompose::fs::write_file_atomic(p.dir / "app.labels", "from.file=yes\nexplicit=from-file\n");
  mycompose::fs::write_file_atomic(p.dir / "secret_data", "x");
  auto j = json::parse(p.ok({"config", "--format", "json"}));
  const auto& foo = j["services"]["foo"];
  CHECK(foo["labels"]["from.file"] == "yes");
  CHECK(foo["labels"]["explicit"] == "from-labels");
  CHECK(foo["build"]["ssh"] == json::array({"default"}));
  CHECK(foo["build"]["tags"][0] == "golden:1.0.0");
  CHECK(foo["secrets"][0]["mode"] == 288);
  REQUIRE(j["services"]["bar"].contains("command"));
  CHECK(j["services"]["bar"]["command"].is_null());
  CHECK(j["services"]["bar"]["entrypoint"].is_null());
  auto yaml = p.ok({"config"});
  CHECK(yaml.find("mode: \"0440\"") != std::string::npos);
}

TEST_CASE("TestConfigServicesFilter: config --services --filter by profile and label") {
  Project p(R"(services:
  core:
    image: busybox:test
    labels:
      tier: backend
  worker:
    image: busybox:test
    profiles: [workers]
    labels:
      tier: backend
  monitor:
    image: busybox:test
    profiles: [monitoring, workers]
    labels:
      tier: ops
)");
  // A profile filter activates the profile and selects its services.
  CHECK(p.ok({"config", "--services", "--filter", "profile=workers"}) == "monitor\nworker\n");
  auto wildcard = p.run({"config", "--services", "--filter", "profile=*"});
  CHECK(wildcard.exit_code == 1);
  CHECK(wildcard.err.find("profiles must be selected explicitly") != std::string::npos);
  CHECK(p.ok({"config", "--services", "--filter", "label=tier=backend"}) == "core\n");
  CHECK(p.ok({"config", "--services", "--filter", "profile=workers", "--filter", "label=tier=backend"}) == "worker\n");
  CHECK(p.ok({"config", "--services", "--filter", "profile=unknown"}) == "");
  auto no_services = p.run({"config", "--filter", "profile=workers"});
  CHECK(no_services.exit_code == 1);
  CHECK(no_services.err.find("--filter requires --services") != std::string::npos);
  auto unknown = p.run({"config", "--services", "--filter", "state=running"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("unknown criteria \"state\"") != std::string::npos);
}

// docker compose's warnings are logrus entries on stderr: off a terminal (here, a pipe) in
// logrus' text form, the message quoted as Go's %q does.
TEST_CASE("a warning off a terminal is logrus' text form: time=... level=warning msg=...") {
  Project p("services:\n  test:\n    image: busybox:test\n    labels:\n      a: \"${MYCOMPOSE_TEST_NEVER_SET}\"\n");
  auto r = p.run({"config", "--services"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "test\n");
  const std::string expected = " level=warning msg=\"The \\\"MYCOMPOSE_TEST_NEVER_SET\\\" variable is not set. Defaulting to a blank string.\"\n";
  INFO(r.err);
  REQUIRE(r.err.size() > expected.size());
  // time="2026-12-07T13:02:32Z" or with the local offset (+01:00), then the rest byte for byte.
  const std::string time_part = r.err.substr(0, r.err.size() - expected.size());
  CHECK(std::regex_match(time_part, std::regex(R"re(time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")re")));
  CHECK(r.err.substr(time_part.size()) == expected);
}
