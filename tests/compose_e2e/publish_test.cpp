// docker compose pkg/e2e/publish_test.go: `publish REPOSITORY --dry-run` makes every decision
// of a publication without a registry: it prompts (stdin) before publishing env_file
// declarations, literal values of secret-looking variables, bind mounts and sensitive data
// (exit 130 when the answer is no), --with-env / -y silence the prompts, build-only services
// and local includes are refused (exit 1), and a publication prints "REPO publishing" and
// "REPO published". Fixtures follow pkg/e2e/fixtures/publish (alpine is busybox:test).
// Not ported: TestPublish (pushes to and pulls from a registry:3 container: needs a registry).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

bool has(const mycompose::test::RunResult& r, const std::string& what) { return combined(r).find(what) != std::string::npos; }

}  // namespace

TEST_CASE("TestPublishPromptEnvFile: an env_file is asked about, no refuses, --with-env -y publishes") {
  Project p(R"(services:
  serviceA:
    image: busybox:test
    env_file:
      - publish.env
  serviceB:
    image: busybox:test
)", "e2e-publish-prompt-env-file");
  mycompose::fs::write_file_atomic(p.dir / "publish.env", "FOO=bar\n");
  auto no = p.run({"publish", "test/test", "--dry-run"}, "n\n");
  INFO(combined(no));
  CHECK(no.exit_code == 130);
  CHECK(has(no, "you are about to publish env-related declarations within your OCI artifact."));
  CHECK(has(no, R"(service "serviceA": env_file declared)"));
  CHECK(has(no, "Are you ok to publish these env declarations?"));
  CHECK_FALSE(has(no, "test/test published"));

  auto yes = p.run({"publish", "test/test", "--with-env", "-y", "--dry-run"});
  INFO(combined(yes));
  CHECK(yes.exit_code == 0);
  CHECK(has(yes, "test/test publishing"));
  CHECK(has(yes, "test/test published"));
}

TEST_CASE("TestPublishPromptSuspiciousEnv: a literal secret-looking value is asked about") {
  Project p(R"(services:
  serviceA:
    image: busybox:test
    environment:
      MYSQL_ROOT_PASSWORD: s3cr3t-literal
)", "e2e-publish-prompt-suspicious-env");
  auto no = p.run({"publish", "test/test", "--dry-run"}, "n\n");
  INFO(combined(no));
  CHECK(no.exit_code == 130);
  CHECK(has(no, R"("serviceA": literal value for "MYSQL_ROOT_PASSWORD")"));

  auto yes = p.run({"publish", "test/test", "--with-env", "-y", "--dry-run"});
  INFO(combined(yes));
  CHECK(yes.exit_code == 0);
  CHECK(has(yes, "test/test publishing"));
  CHECK(has(yes, "test/test published"));
}

TEST_CASE("TestPublishInterpolatedEnv: an interpolated value publishes with -y alone") {
  Project p(R"(services:
  serviceA:
    image: busybox:test
    environment:
      TEST: "${SOMEVAR}"
)", "e2e-publish-interpolated-env");
  auto r = p.run({"publish", "test/test", "-y", "--dry-run"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(has(r, "test/test publishing"));
  CHECK(has(r, "test/test published"));
}

TEST_CASE("TestPublishPromptAggregatesFindings: one prompt lists every service's env_file and literal secrets") {
  Project p(R"(services:
  serviceA:
    image: busybox:test
    environment:
      - DB_PASSWORD=literal-password
  serviceB:
    image: busybox:test
    env_file:
      - publish.env
    environment:
      - API_KEY=literal-api-key
)", "e2e-publish-prompt-aggregates-findings");
  mycompose::fs::write_file_atomic(p.dir / "publish.env", "FOO=bar\n");
  auto r = p.run({"publish", "test/test", "--dry-run"}, "n\n");
  INFO(combined(r));
  CHECK(r.exit_code == 130);
  CHECK(has(r, R"("serviceB": env_file declared)"));
  CHECK(has(r, R"("serviceA": literal value for "DB_PASSWORD")"));
  CHECK(has(r, R"("serviceB": literal value for "API_KEY")"));
  CHECK(has(r, "Use --with-env to silence this prompt"));
}

TEST_CASE("TestPublishWithExtends: a model using extends publishes, resolved") {
  Project p(R"(services:
  test:
    extends:
      file: common.yaml
      service: foo
)", "e2e-publish-with-extends");
  mycompose::fs::write_file_atomic(p.dir / "common.yaml", "services:\n  foo:\n    image: busybox:test\n");
  auto r = p.run({"publish", "test/test", "--dry-run"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(has(r, "test/test published"));
}

TEST_CASE("TestPublishBindMount: a bind mount is asked about; no refuses, yes publishes") {
  Project p(R"(services:
  serviceA:
    image: busybox:test
    volumes:
      - .:/user-data
)", "e2e-publish-bind-mount");
  auto no = p.run({"publish", "test/test", "--dry-run"}, "n\n");
  INFO(combined(no));
  CHECK(no.exit_code == 130);
  CHECK(has(no, "you are about to publish bind mounts declaration within your OCI artifact."));
  CHECK(has(no, ":/user-data"));
  CHECK(has(no, "Are you ok to publish these bind mount declarations?"));
  CHECK_FALSE(has(no, "test/test published"));

  auto yes = p.run({"publish", "test/test", "--dry-run"}, "y\n");
  INFO(combined(yes));
  CHECK(yes.exit_code == 0);
  CHECK(has(yes, ":/user-data"));
  CHECK(has(yes, "test/test published"));
}

TEST_CASE("TestPublishBuildOnly: services with only a build section are refused, by name") {
  Project p(R"(services:
  serviceA:
    build:
      context: .
  serviceB:
    build:
      context: .
)", "e2e-publish-build-only");
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\n");
  auto r = p.run({"publish", "test/test", "--with-env", "-y", "--dry-run"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(has(r, "your Compose stack cannot be published as it only contains a build section for service(s):"));
  CHECK(has(r, "serviceA"));
  CHECK(has(r, "serviceB"));
}

TEST_CASE("TestPublishLocalInclude: a model with a local include is refused") {
  Project p(R"(include:
  - common.yaml

services:
  test:
    image: busybox:test
)", "e2e-publish-local-include");
  mycompose::fs::write_file_atomic(p.dir / "common.yaml", "services:\n  foo:\n    image: busybox:test\n");
  auto r = p.run({"publish", "test/test", "--dry-run"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(has(r, "cannot publish compose file with local includes"));
}

TEST_CASE("TestPublishDetectSensitiveData: keys, tokens and private keys in the model, env_file, configs and secrets are listed") {
  Project p(R"(services:
  serviceA:
    image: busybox:test
    environment:
      - AWS_ACCESS_KEY_ID=A3TX1234567890ABCDEF
      - AWS_SECRET_ACCESS_KEY=aws"12345+67890/abcdefghijklm+NOPQRSTUVWXYZ+"
    configs:
      - myconfig
  serviceB:
    image: busybox:test
    env_file:
      - publish-sensitive.env
    secrets:
      - mysecret
configs:
  myconfig:
    file: config.txt
secrets:
  mysecret:
    file: secret.txt
)", "e2e-publish-detect-sensitive-data");
  mycompose::fs::write_file_atomic(p.dir / "publish-sensitive.env", "GITHUB_TOKEN=ghp_1234567890abcdefghijklmnopqrstuvwxyz\n");
  mycompose::fs::write_file_atomic(p.dir / "config.txt",
                                   "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                                   "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
                                   "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n");
  mycompose::fs::write_file_atomic(p.dir / "secret.txt", "-----BEGIN DSA PRIVATE KEY-----\nwxyz+ABC=\n-----END DSA PRIVATE KEY-----");
  auto r = p.run({"publish", "test/test", "--with-env", "--dry-run"}, "n\n");
  INFO(combined(r));
  CHECK(r.exit_code == 130);
  CHECK(has(r, "you are about to publish sensitive data within your OCI artifact.\n"));
  CHECK(has(r, "please double check that you are not leaking sensitive data"));
  CHECK(has(r, "AWS Client ID\n\"services.serviceA.environment.AWS_ACCESS_KEY_ID\": A3TX1234567890ABCDEF"));
  CHECK(has(r, "AWS Secret Key\n\"services.serviceA.environment.AWS_SECRET_ACCESS_KEY\": aws\"12345+67890/abcdefghijklm+NOPQRSTUVWXYZ+\""));
  CHECK(has(r, "Github authentication\n\"GITHUB_TOKEN\": ghp_1234567890abcdefghijklmnopqrstuvwxyz"));
  CHECK(has(r, "JSON Web Token\n\"\": eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
               "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw"));
  CHECK(has(r, "Private Key\n\"\": -----BEGIN DSA PRIVATE KEY-----\nwxyz+ABC=\n-----END DSA PRIVATE KEY-----"));
}
