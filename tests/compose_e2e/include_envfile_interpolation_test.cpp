// docker compose pkg/e2e/include_envfile_interpolation_test.go: an include's env_file
// (VAR=1) is the environment the included services' own env_file (MYVAR=${VAR?}) is
// interpolated with, for config and for the containers run creates.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

// The upstream fixture: compose.yml includes subproj/subcompose.yml with env_file values.env.
void write_fixture(const Project& p) {
  mycompose::fs::write_file_atomic(p.dir / "compose.yml", "include:\n  - path: subproj/subcompose.yml\n    env_file:\n      - values.env\n");
  mycompose::fs::write_file_atomic(p.dir / "values.env", "VAR=1\n");
  stdfs::create_directories(p.dir / "subproj");
  mycompose::fs::write_file_atomic(p.dir / "subproj/subcompose.yml", R"(services:
  app:
    env_file: subvalues.env
    image: busybox:test
    command: ["busybox", "env"]
)");
  mycompose::fs::write_file_atomic(p.dir / "subproj/subvalues.env", "MYVAR=${VAR?}\n");
}

}  // namespace

// The Project's own compose.yaml declares the same service, so the fixture's down on the way
// out takes the run's leftovers (none with --rm) by the same project name.
TEST_CASE("TestIncludeEnvFileInterpolation: include env_file values interpolate the included service's env_file") {
  Project p("services:\n  app:\n    image: busybox:test\n", "include-envfile-interpolation");
  write_fixture(p);
  auto config = p.run({"-f", "compose.yml", "config"});
  INFO(combined(config));
  CHECK(config.exit_code == 0);

  auto run = p.run({"-f", "compose.yml", "run", "--rm", "app", "sh", "-c", "echo $MYVAR"});
  INFO(combined(run));
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("1") != std::string::npos);
  CHECK(run.out == "1\n");
}
