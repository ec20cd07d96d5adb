// docker compose pkg/e2e/interpolation_test.go: what a service's environment holds after
// interpolation: env_file interpolated with the service's own environment, and an include's
// env_file feeding the included services' pass-through variables and env_file. Upstream's
// cases also use a `provider:` service (its setenv variables for dependents): mycompose runs
// no providers yet, so those are not ported here (on branch e2e-c).
#include <algorithm>
#include <set>
#include <sstream>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

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
