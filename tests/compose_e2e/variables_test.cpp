// docker compose pkg/e2e/variables_test.go: the top-level `variables:` and `variables_file:`
// of a compose file (and of an include entry), `--var NAME=VALUE` and `--var-file FILE` on the
// command line, their precedence (shell environment > --var > --var-file > the file's own),
// scoping to an included file, and `config --variables` showing resolved values and sources.
// Only `config` runs; the images (ghcr.io/acme/api, redis, postgres) are never pulled.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

void write(const Project& p, const std::string& rel, const std::string& text) {
  stdfs::create_directories((p.dir / rel).parent_path());
  mycompose::fs::write_file_atomic(p.dir / rel, text);
}

bool out_has(const mycompose::test::RunResult& r, const std::string& what) { return r.out.find(what) != std::string::npos; }

const char* kSimple = R"(variables:
  APP_VERSION: "1.4.2"
  REDIS_VERSION: "7.4"

services:
  api:
    image: ghcr.io/acme/api:${APP_VERSION}
  redis:
    image: redis:${REDIS_VERSION}
)";

const char* kCliOverride = R"(variables:
  APP_VERSION: "1.4.2"

services:
  api:
    image: "ghcr.io/acme/api:${APP_VERSION}"
)";

const char* kCliVarFile = R"(variables:
  APP_VERSION: "from-yaml"

services:
  api:
    image: "ghcr.io/acme/api:${APP_VERSION}"
)";

}  // namespace

TEST_CASE("TestComposeVariablesSimple: top-level variables interpolate the file") {
  Project p(kSimple, "compose-e2e-variables-simple");
  auto r = p.run({"--project-name", "compose-e2e-variables-simple", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: ghcr.io/acme/api:1.4.2"));
  CHECK(out_has(r, "image: redis:7.4"));
}

TEST_CASE("TestComposeVariablesFile: variables_file entries load in order, the later one winning") {
  Project p(R"(variables_file:
  - ./variables/base.yaml
  - ./variables/dev.yaml

services:
  api:
    image: ghcr.io/acme/api:${APP_VERSION}
  redis:
    image: redis:${REDIS_VERSION}
)", "compose-e2e-variables-expanded");
  write(p, "variables/base.yaml", "variables:\n  APP_VERSION: \"1.0.0\"\n  REDIS_VERSION: \"7.0\"\n");
  write(p, "variables/dev.yaml", "variables:\n  APP_VERSION: \"1.4.2\"\n");
  auto r = p.run({"--project-name", "compose-e2e-variables-expanded", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: ghcr.io/acme/api:1.4.2"));
  CHECK(out_has(r, "image: redis:7.0"));
}

TEST_CASE("TestComposeVariablesCrossRef: a variable's value may use the ones before it") {
  Project p(R"(variables:
  BASE: "acme"
  IMAGE: "${BASE}/api"
  TAG: "1.4.2"
  FULL: "${IMAGE}:${TAG}"

services:
  api:
    image: "${FULL}"
)", "compose-e2e-variables-crossref");
  auto r = p.run({"--project-name", "compose-e2e-variables-crossref", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: acme/api:1.4.2"));
}

TEST_CASE("TestComposeVariablesIncludeLocal: an include entry's variables and variables_file beat the includer's") {
  Project p(R"(variables:
  REDIS_VERSION: "7.2"

include:
  - path: ./redis/compose.yaml
    variables:
      REDIS_VERSION: "7.4"
  - path: ./postgres/compose.yaml
    variables_file:
      - ./variables.yaml

services:
  api:
    image: api:latest
)", "compose-e2e-variables-include");
  write(p, "redis/compose.yaml", "services:\n  redis:\n    image: redis:${REDIS_VERSION}\n");
  write(p, "postgres/compose.yaml", "services:\n  postgres:\n    image: postgres:${POSTGRES_VERSION}\n");
  write(p, "postgres/variables.yaml", "variables:\n  POSTGRES_VERSION: \"16.2\"\n");
  auto r = p.run({"--project-name", "compose-e2e-variables-include", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: redis:7.4"));
  CHECK(out_has(r, "image: postgres:16.2"));
}

TEST_CASE("TestComposeVariablesNoLeakage: one include entry's variables do not reach another included file") {
  Project p(R"(include:
  - path: ./redis/compose.yaml
    variables:
      MODULE: "redis-only"
  - path: ./postgres/compose.yaml

services:
  api:
    image: "api:latest"
)", "compose-e2e-variables-noleak");
  write(p, "redis/compose.yaml", "services:\n  redis:\n    image: redis:${MODULE}\n");
  write(p, "postgres/compose.yaml", "services:\n  postgres:\n    image: \"postgres:${MODULE:-empty}\"\n");
  auto r = p.run({"--project-name", "compose-e2e-variables-noleak", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: redis:redis-only"));
  CHECK(out_has(r, "image: postgres:empty"));
}

TEST_CASE("TestComposeVariablesCLIOverride: --var beats the file's variables") {
  Project p(kCliOverride, "compose-e2e-variables-cli");
  auto r = p.run({"--project-name", "compose-e2e-variables-cli", "--var", "APP_VERSION=2.0.0", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: ghcr.io/acme/api:2.0.0"));
}

TEST_CASE("TestComposeVariablesCLIVarFile: --var-file beats the file's variables") {
  Project p(kCliVarFile, "compose-e2e-variables-clivarfile");
  write(p, "overrides.yaml", "variables:\n  APP_VERSION: \"from-cli-var-file\"\n");
  auto r = p.run({"--project-name", "compose-e2e-variables-clivarfile", "--var-file", "./overrides.yaml", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: ghcr.io/acme/api:from-cli-var-file"));
}

TEST_CASE("TestComposeVariablesCLIVarBeatsCLIVarFile: --var beats --var-file") {
  Project p(kCliVarFile, "compose-e2e-variables-clibeatsfile");
  write(p, "overrides.yaml", "variables:\n  APP_VERSION: \"from-cli-var-file\"\n");
  auto r = p.run({"--project-name", "compose-e2e-variables-clibeatsfile", "--var-file", "./overrides.yaml", "--var",
                  "APP_VERSION=from-flag", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: ghcr.io/acme/api:from-flag"));
}

TEST_CASE("TestComposeVariablesShellEnvWins: the shell's environment beats --var") {
  Project p(kCliOverride, "compose-e2e-variables-shell");
  Cli c = p;
  c.o.env["APP_VERSION"] = "from-shell";
  auto r = c.run({"--project-name", "compose-e2e-variables-shell", "--var", "APP_VERSION=from-cli", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "image: ghcr.io/acme/api:from-shell"));
}

TEST_CASE("TestComposeVariablesCoercion: number and boolean variables interpolate as strings") {
  Project p(R"(variables:
  PORT: 8080
  ENABLED: true
  TAG: "1.4.2"

services:
  api:
    image: "api:${TAG}"
    ports:
      - "${PORT}:80"
    environment:
      ENABLED: "${ENABLED}"
)", "compose-e2e-variables-coerce");
  auto r = p.run({"--project-name", "compose-e2e-variables-coerce", "config"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "published: \"8080\""));
  CHECK(out_has(r, "target: 80"));
  CHECK(out_has(r, "ENABLED: \"true\""));
  CHECK(out_has(r, "image: api:1.4.2"));
}

TEST_CASE("TestComposeVariablesConfigVariablesShowsResolved: config --variables shows each value and where it came from") {
  Project p(kSimple, "compose-e2e-variables-confvars");
  auto r = p.run({"--project-name", "compose-e2e-variables-confvars", "config", "--variables"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(out_has(r, "RESOLVED VALUE"));
  CHECK(out_has(r, "SOURCE"));
  CHECK(out_has(r, "1.4.2"));
  CHECK(out_has(r, "root-inline"));
}
