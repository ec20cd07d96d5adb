// The test helper tests/support/run.hpp: what other tests rely on when they run a binary.
#include <catch2/catch.hpp>

#include "support/run.hpp"

using mycompose::test::run;
using mycompose::test::RunOptions;

TEST_CASE("run captures stdout, stderr and the exit status separately") {
  auto r = run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  CHECK(r.exit_code == 3);
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("run reports a death by signal as 128 + the signal number") {
  auto r = run({"/bin/sh", "-c", "kill -TERM $$"});
  CHECK(r.exit_code == 128 + SIGTERM);
}

TEST_CASE("run adds, overrides and removes environment variables and sets the working directory") {
  RunOptions o;
  o.env = {{"MYCOMPOSE_RUN_TEST", "bar"}, {"PATH", "/usr/bin:/bin"}};
  o.unset_env = {"HOME"};
  o.cwd = "/";
  auto r = run({"/bin/sh", "-c", "echo \"$MYCOMPOSE_RUN_TEST ${HOME:-unset} $PATH $(pwd)\""}, o);
  CHECK(r.out == "bar unset /usr/bin:/bin /\n");
  CHECK(r.exit_code == 0);
}

TEST_CASE("run feeds stdin and drains large outputs on both streams without dead-locking") {
  RunOptions o;
  o.input = std::string(1 << 20, 'x');  // more than a pipe buffer holds
  auto r = run({"/bin/sh", "-c", "tee /dev/stderr"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == o.input);
  CHECK(r.err == o.input);
}

TEST_CASE("run survives a child that exits without reading its stdin") {
  RunOptions o;
  o.input = std::string(1 << 20, 'x');
  auto r = run({"/bin/sh", "-c", "exec 0<&-; echo done"}, o);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "done\n");
}

TEST_CASE("run throws when the program cannot be started") {
  CHECK_THROWS_WITH(run({"/nonexistent/program"}), Catch::Contains("/nonexistent/program"));
}
