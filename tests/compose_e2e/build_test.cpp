// docker compose's pkg/e2e/build_test.go, ported for what our builder does in place of
// BuildKit: secrets, ssh, tags, privileged and entitlements, platforms' errors. Left out:
// TestLocalComposeBuild's classic-builder variants (one builder here), the multi-arch runs
// and TestBuildBuilder (buildx builders), which need other platforms or buildx.
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"
#include "support/ssh_tools.hpp"

using namespace cli_project;

namespace {

bool has_cap_sys_admin(const std::string& output) {
  auto p = output.find("CapEff:");
  REQUIRE(p != std::string::npos);
  return (std::stoull(output.substr(p + 7), nullptr, 16) >> 21) & 1;
}

void write(const Project& p, const std::string& rel, const std::string& text) {
  mycompose::fs::write_file_atomic(p.dir / rel, text);
}

}  // namespace

TEST_CASE("TestBuildSSH: an empty --ssh needs SSH_AUTH_SOCK, a key from the Compose file or the CLI reaches RUN --mount=type=ssh") {
  Project p(R"(services:
  ssh:
    image: build-test-ssh
    build:
      context: .
      ssh:
        - fake-ssh=./fake_rsa
)");
  p.o.unset_env.push_back("SSH_AUTH_SOCK");
  auto empty = p.run({"build", "--ssh", ""});
  CHECK(empty.exit_code == 1);
  CHECK(empty.err.find("invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set") != std::string::npos);

  mycompose::test::new_ssh_key(p.dir / "fake_rsa");
  mycompose::test::stage_ssh_add(p.dir / "sshroot");
  write(p, "Dockerfile",
        "# syntax=docker/dockerfile:1\nFROM busybox:test\nCOPY sshroot/ /\nWORKDIR /compose\nCOPY fake_rsa.pub /compose/\n"
        "RUN --mount=type=ssh,id=fake-ssh,required=true sh -c 'ssh-add -L > /compose/listed && diff /compose/listed /compose/fake_rsa.pub'\n"
        "CMD [\"sleep\", \"1000\"]\n");
  auto from_file = p.run({"build"});
  INFO(from_file.err);
  CHECK(from_file.exit_code == 0);
  CHECK(p.run({"image", "inspect", "build-test-ssh"}).exit_code == 0);

  write(p, "compose-without-ssh.yaml", "services:\n  ssh:\n    image: build-test-ssh\n    build:\n      context: .\n");
  auto from_cli = p.run({"-f", "compose-without-ssh.yaml", "build", "--no-cache", "--ssh", "fake-ssh=./fake_rsa"});
  INFO(from_cli.err);
  CHECK(from_cli.exit_code == 0);
  auto missing = p.run({"-f", "compose-without-ssh.yaml", "build", "--no-cache"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("ssh fake-ssh: not forwarded") != std::string::npos);

  auto up = p.run({"up", "-d", "--build"});
  INFO(up.err);
  CHECK(up.exit_code == 0);
}

TEST_CASE("TestBuildSecrets: file, environment and .env secrets are read by RUN --mount=type=secret") {
  Project p(R"(services:
  ssh:
    image: build-test-secret
    build:
      context: .
      secrets:
        - mysecret
        - envsecret
        - source: dotenvsecret
          target: dotenv
secrets:
  mysecret:
    file: ./secret.txt
  envsecret:
    environment: SOME_SECRET
  dotenvsecret:
    environment: ANOTHER_SECRET
)");
  write(p, "secret.txt", "foo\n");
  write(p, ".env", "ANOTHER_SECRET=zot\n");
  write(p, "Dockerfile",
        "# syntax=docker/dockerfile:1\nFROM busybox:test\n"
        "RUN echo foo > /expected\n"
        "RUN --mount=type=secret,id=mysecret cat /run/secrets/mysecret > /actual\n"
        "RUN diff /expected /actual\n"
        "RUN --mount=type=secret,id=envsecret,required sh -c 'test \"$(cat /run/secrets/envsecret)\" = bar'\n"
        "RUN --mount=type=secret,id=dotenv,required sh -c 'test \"$(cat /run/secrets/dotenv)\" = zot'\n");
  p.o.env["SOME_SECRET"] = "bar";
  auto r = p.run({"build"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto inspect = p.run({"image", "inspect", "build-test-secret"});
  CHECK(inspect.exit_code == 0);
  CHECK(inspect.out.find("zot") == std::string::npos);
}

TEST_CASE("TestBuildTags: every tag of build.tags names the built image") {
  Project p(R"(services:
  nginx:
    image: build-test-tags
    build:
      context: .
      tags:
        - docker.io/docker/build-test-tags:1.0.0
        - other-image-name:v1.0.0
)");
  write(p, "Dockerfile", "FROM busybox:test\nRUN true\n");
  REQUIRE(p.run({"build", "--no-cache"}).exit_code == 0);
  auto id = [&](const std::string& ref) {
    auto r = p.run({"image", "inspect", "--format", "{{.Id}}", ref});
    INFO(ref << ": " << r.err);
    CHECK(r.exit_code == 0);
    return r.out;
  };
  auto main_id = id("build-test-tags");
  CHECK(!main_id.empty());
  CHECK(id("docker/build-test-tags:1.0.0") == main_id);
  CHECK(id("other-image-name:v1.0.0") == main_id);
}

TEST_CASE("TestBuildPrivileged: build.privileged lets RUN --security=insecure have CAP_SYS_ADMIN") {
  Project p("services:\n  privileged-service:\n    build:\n      context: .\n      privileged: true\n");
  write(p, "Dockerfile", "# syntax = docker/dockerfile:experimental\nFROM busybox:test\nRUN --security=insecure grep CapEff /proc/self/status\n");
  auto r = p.run({"build"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has_cap_sys_admin(r.out));
}

TEST_CASE("TestBuildEntitlements: build.entitlements security.insecure lets RUN --security=insecure have CAP_SYS_ADMIN") {
  Project p("services:\n  privileged-service:\n    build:\n      context: .\n      entitlements:\n        - security.insecure\n");
  write(p, "Dockerfile", "FROM busybox:test\nRUN --security=insecure grep CapEff /proc/self/status\n");
  auto r = p.run({"build"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has_cap_sys_admin(r.out));
  write(p, "compose.yaml", "services:\n  privileged-service:\n    build:\n      context: .\n");
  auto refused = p.run({"build"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("RUN --security=insecure: security.insecure is not allowed") != std::string::npos);
}

TEST_CASE("TestBuildPlatformsStandardErrors: service.platform and DOCKER_DEFAULT_PLATFORM must be in build.platforms") {
  Project p(R"(services:
  platforms:
    image: build-test-platform
    platform: linux/riscv64
    build:
      context: .
      platforms:
        - linux/amd64
        - linux/arm64
)");
  write(p, "Dockerfile", "FROM busybox:test\n");
  auto r = p.run({"build"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("service.build.platforms MUST include service.platform \"linux/riscv64\"") != std::string::npos);

  write(p, "compose.yaml", "services:\n  platforms:\n    image: build-test-platform\n    build:\n      context: .\n      platforms: [linux/amd64, linux/arm64]\n");
  p.o.env["DOCKER_DEFAULT_PLATFORM"] = "windows/amd64";
  r = p.run({"build"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("service \"platforms\" build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: windows/amd64") !=
        std::string::npos);
  // Without DOCKER_DEFAULT_PLATFORM both would be built: this builder builds the host's only.
  p.o.env.erase("DOCKER_DEFAULT_PLATFORM");
  r = p.run({"build"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is not supported: this builder builds for the host's platform") != std::string::npos);
}
