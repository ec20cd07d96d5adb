// docker compose pkg/e2e/interpolation_test.go: what a service's environment holds after
// interpolation: .env, environment:, env_file: (interpolated with the service's own
// environment and the project's), include's env_file, extends, the OS environment, --env-file,
// `run --env`, and a provider service's setenv (EXAMPLE_URL for the services that depend on it).
// Upstream's example-provider binary is a shell script here that speaks the provider protocol
// (docs/extension.md): `compose ... up` prints one setenv line. `env` is `busybox env`.
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>

#include <set>
#include <sstream>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kInterpolation = R"(services:
  test:
    image: busybox:test
    command: ["busybox", "env"]
    environment:
      - FOO
      - BAR=bar_from_environment
      - BY_PROVIDER_FROM_ENV=${EXAMPLE_URL}
      - INTERPOLATED=${TEST1}-${TEST2}
    env_file:
     - env_file.env
    depends_on:
      - example

  example:
    provider:
      type: example-provider
      options:
        type: test
        name: example
        size: 0
)";

const char* kEnvFile = R"(ZOT=${FOO:-ZOT}
QIX=some ${FOO} value
BAR_FROM_ENV_FILE=${BAR}
BY_PROVIDER_FROM_ENV_FILE: ${EXAMPLE_URL}
BY_OS_FROM_ENV_FILE: ${OS_TO_ENV_FILE}
BY_CMD_FROM_ENV_FILE: ${CMD_TO_ENV_FILE:-CMD_TO_ENV_FILE_DEFAULT_VALUE}
BY_IMPLICIT_ENV_FILE: ${IMPLICIT_ENV_FILE_TO_ENV_FILE}
BY_EXPLICIT_ENV_FILE: ${EXPLICIT_ENV_FILE_TO_ENV_FILE}
)";

const char* kProvider = R"(#!/bin/sh
# compose --project-name NAME up|down|stop [--opt=value...] SERVICE, or compose metadata
case " $* " in
  *" metadata "*)
    echo '{"description":"example","up":{"parameters":[{"name":"type","required":false,"type":"string"},{"name":"name","required":false,"type":"string"},{"name":"size","required":false,"type":"integer"}]},"down":{"parameters":[]}}' ;;
  *" up "*)
    echo '{"type":"info","message":"example ready"}'
    echo '{"type":"setenv","message":"URL=https://magic.cloud/example"}' ;;
esac
exit 0
)";

// The upstream fixture folder: compose.yaml, .env, env_file.env, explicit_env_file.env, and
// include/ and extends/ beside them; the example provider on the CLI's PATH.
void write_fixture(Project& p) {
  const auto& d = p.dir;
  mycompose::fs::write_file_atomic(d / ".env",
                                   "FOO=FOO-from-dot-env\nTEST1=dot-env\nTEST2=dot-env\n"
                                   "IMPLICIT_ENV_FILE_TO_ENV_FILE=IMPLICIT_ENV_FILE_VALUE");
  mycompose::fs::write_file_atomic(d / "env_file.env", kEnvFile);
  mycompose::fs::write_file_atomic(d / "explicit_env_file.env", "EXPLICIT_ENV_FILE_TO_ENV_FILE=EXPLICIT_ENV_FILE_VALUE\n");
  stdfs::create_directories(d / "include");
  mycompose::fs::write_file_atomic(d / "include/compose.yaml", "include:\n  - path: ../compose.yaml\n    env_file: include.env");
  mycompose::fs::write_file_atomic(d / "include/include.env", "FOO=FOO-from-include\nTEST1=include\nTEST2=include\n");
  stdfs::create_directories(d / "extends");
  mycompose::fs::write_file_atomic(d / "extends/compose.yaml", R"(services:
  test:
    extends:
      service: test
      file: ../compose.yaml
    environment:
      - BAR=BAR-from-extends

  example:
    extends:
      service: example
      file: ../compose.yaml)");
  mycompose::fs::write_file_atomic(d / "extends/.env", "FOO=FOO-from-extends\nTEST1=extends\nTEST2=extends\n");

  const stdfs::path bin = p.r.dir / "provider-bin";
  stdfs::create_directories(bin);
  mycompose::fs::write_file_atomic(bin / "example-provider", kProvider);
  ::chmod((bin / "example-provider").c_str(), 0755);
  const char* path = std::getenv("PATH");
  p.o.env["PATH"] = std::string(path ? path : "/usr/bin:/bin") + ":" + bin.string();
}

// The variables `env` printed: up's "test-1  | K=V" lines, or run's bare "K=V" lines.
std::set<std::string> env_of(const std::string& out, bool run) {
  std::set<std::string> env;
  std::istringstream in(out);
  const std::string prefix = "test-1  | ";
  for (std::string line; std::getline(in, line);) {
    if (!run && line.rfind(prefix, 0) == 0) env.insert(line.substr(prefix.size()));
    if (run && std::count(line.begin(), line.end(), '=') == 1) env.insert(line);
  }
  return env;
}

}  // namespace

TEST_CASE("Test_interpolation: .env, environment and env_file interpolated with the service's environment and the provider's") {
  Project p(kInterpolation, "interpolation");
  write_fixture(p);
  auto r = p.run({"-f", "compose.yaml", "--project-name", "interpolation", "up"});
  INFO(combined(r));
  auto env = env_of(combined(r), false);
  CHECK(env.count("FOO=FOO-from-dot-env"));
  CHECK(env.count("BAR=bar_from_environment"));
  CHECK(env.count("ZOT=FOO-from-dot-env"));
  CHECK(env.count("QIX=some FOO-from-dot-env value"));
  // env_file values see the service's own environment: (BAR from environment:)
  CHECK(env.count("BAR_FROM_ENV_FILE=bar_from_environment"));
  CHECK(env.count("BY_PROVIDER_FROM_ENV=https://magic.cloud/example"));
  CHECK(env.count("BY_PROVIDER_FROM_ENV_FILE=https://magic.cloud/example"));
}

TEST_CASE("Test_interpolationWithInclude: include's env_file feeds the included services' environment and env_file") {
  Project p(kInterpolation, "interpolation-include");
  write_fixture(p);
  auto r = p.run({"-f", "include/compose.yaml", "--project-name", "interpolation-include", "up"});
  INFO(combined(r));
  auto env = env_of(combined(r), false);
  CHECK(env.count("FOO=FOO-from-include"));
  CHECK(env.count("BAR=bar_from_environment"));
  CHECK(env.count("ZOT=FOO-from-include"));
  CHECK(env.count("QIX=some FOO-from-include value"));
  CHECK(env.count("BY_PROVIDER_FROM_ENV=https://magic.cloud/example"));
  CHECK(env.count("BY_PROVIDER_FROM_ENV_FILE=https://magic.cloud/example"));
}

TEST_CASE("Test_interpolationWithExtends: the extending project's .env interpolates the extended service's env_file") {
  Project p(kInterpolation, "interpolation-extends");
  write_fixture(p);
  auto r = p.run({"-f", "extends/compose.yaml", "--project-name", "interpolation-extends", "up"});
  INFO(combined(r));
  auto env = env_of(combined(r), false);
  CHECK(env.count("FOO=FOO-from-extends"));
  CHECK(env.count("BAR=BAR-from-extends"));
  CHECK(env.count("ZOT=FOO-from-extends"));
  CHECK(env.count("QIX=some FOO-from-extends value"));
  CHECK(env.count("BY_PROVIDER_FROM_ENV=https://magic.cloud/example"));
  CHECK(env.count("BY_PROVIDER_FROM_ENV_FILE=https://magic.cloud/example"));
}

TEST_CASE("TestInterpolationInEnvFile: env_file interpolated from the OS, .env, --env-file and run --env") {
  Project p(kInterpolation, "interpolation-env-file");
  write_fixture(p);
  Cli c = p;
  c.o.env["OS_TO_ENV_FILE"] = "OS_TO_ENV_FILE_VALUE";
  auto r = c.run({"-f", "compose.yaml", "--project-name", "interpolation-env-file", "up"});
  INFO(combined(r));
  REQUIRE(r.exit_code == 0);
  auto env = env_of(combined(r), false);
  CHECK(env.count("BY_OS_FROM_ENV_FILE=OS_TO_ENV_FILE_VALUE"));
  CHECK(env.count("BY_IMPLICIT_ENV_FILE=IMPLICIT_ENV_FILE_VALUE"));
  CHECK(env.count("BY_CMD_FROM_ENV_FILE=CMD_TO_ENV_FILE_DEFAULT_VALUE"));

  auto run = p.run({"-f", "compose.yaml", "--project-name", "interpolation-env-file", "--env-file", "explicit_env_file.env",
                    "run", "--env", "BY_CMD_FROM_ENV_FILE=CMD_TO_ENV_FILE_VALUE", "--rm", "test"});
  INFO(combined(run));
  auto renv = env_of(combined(run), true);
  CHECK(renv.count("BY_EXPLICIT_ENV_FILE=EXPLICIT_ENV_FILE_VALUE"));
  CHECK(renv.count("BY_CMD_FROM_ENV_FILE=CMD_TO_ENV_FILE_VALUE"));
}

// The same scenarios without the provider service: what mycompose gets wrong about env_file
// and include, apart from providers.
TEST_CASE("Test_interpolation: env_file sees the service's environment: values (without a provider)") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["busybox", "env"]
    environment:
      - BAR=bar_from_environment
    env_file:
     - env_file.env
)", "interpolation-no-provider");
  mycompose::fs::write_file_atomic(p.dir / "env_file.env", "BAR_FROM_ENV_FILE=${BAR}\n");
  auto r = p.run({"up"});
  INFO(combined(r));
  CHECK(env_of(combined(r), false).count("BAR_FROM_ENV_FILE=bar_from_environment"));
}

TEST_CASE("Test_interpolationWithInclude: include's env_file resolves pass-through variables and env_file (without a provider)") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["busybox", "env"]
    environment:
      - FOO
    env_file:
     - env_file.env
)", "interpolation-include-no-provider");
  mycompose::fs::write_file_atomic(p.dir / "env_file.env", "ZOT=${FOO:-ZOT}\nQIX=some ${FOO} value\n");
  stdfs::create_directories(p.dir / "include");
  mycompose::fs::write_file_atomic(p.dir / "include/compose.yaml", "include:\n  - path: ../compose.yaml\n    env_file: include.env\n");
  mycompose::fs::write_file_atomic(p.dir / "include/include.env", "FOO=FOO-from-include\n");
  auto r = p.run({"-f", "include/compose.yaml", "--project-name", "interpolation-include-no-provider", "up"});
  INFO(combined(r));
  auto env = env_of(combined(r), false);
  CHECK(env.count("FOO=FOO-from-include"));
  CHECK(env.count("ZOT=FOO-from-include"));
  CHECK(env.count("QIX=some FOO-from-include value"));
}
