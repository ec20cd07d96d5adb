// docker compose pkg/e2e/compose_exec_test.go: exec in a service container passes the
// command's exit status through, and `-e NAME` takes NAME's value from the CLI's environment
// (or sets nothing when NAME is unset). busybox:test has no /bin/true, /bin/false or
// /usr/bin/env: the applets run through `busybox` instead.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

// Upstream runs from elsewhere with --project-directory and --project-name.
std::vector<std::string> args(const Project& p, std::vector<std::string> rest) {
  std::vector<std::string> a{"--project-directory", p.dir.string(), "--project-name", "compose-e2e-exec"};
  a.insert(a.end(), rest.begin(), rest.end());
  return a;
}

}  // namespace

TEST_CASE("TestLocalComposeExec: exec true, exec false, exec -e with and without the variable set") {
  Project p(kSimpleComposefile, "compose-e2e-exec");
  Cli c = elsewhere(p);
  c.o.unset_env.push_back("FOO");
  c.ok(args(p, {"up", "-d"}));

  // exec true
  auto t = c.run(args(p, {"exec", "simple", "busybox", "true"}));
  INFO(t.err);
  CHECK(t.exit_code == 0);

  // exec false
  auto f = c.run(args(p, {"exec", "simple", "busybox", "false"}));
  CHECK(f.exit_code == 1);

  // exec with env set: FOO's value comes from the CLI's environment
  Cli with_foo = c;
  with_foo.o.env["FOO"] = "BAR";
  auto set = with_foo.run(args(p, {"exec", "-e", "FOO", "simple", "busybox", "env"}));
  INFO(set.out << set.err);
  CHECK(set.exit_code == 0);
  CHECK(set.out.find("FOO=BAR") != std::string::npos);

  // exec without env set: nothing named FOO gets a value
  auto unset = c.run(args(p, {"exec", "-e", "FOO", "simple", "busybox", "env"}));
  INFO(unset.out << unset.err);
  CHECK(unset.exit_code == 0);
  CHECK(unset.out.find("FOO=") == std::string::npos);
}

// Not asserted upstream, the same `-e FOO` path: docker compose resolves a bare -e NAME from
// the project's environment (cmd/compose/exec.go runExec: projectOptions.Environment, which
// holds the CLI's environment and the project's .env), so a value in .env is taken too.
TEST_CASE("TestLocalComposeExec: exec -e FOO takes FOO from the project's .env when the CLI's environment has none") {
  Project p(kSimpleComposefile, "compose-e2e-exec");
  mycompose::fs::write_file_atomic(p.dir / ".env", "FOO=from-dotenv\n");
  Cli c = p;
  c.o.unset_env.push_back("FOO");
  c.ok({"up", "-d", "simple"});
  auto r = c.run({"exec", "-e", "FOO", "simple", "busybox", "env"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("FOO=from-dotenv") != std::string::npos);
}

// Not asserted upstream: exec does not check the service against the model; the container
// lookup fails (pkg/compose/containers.go getSpecifiedContainer) with its own words.
TEST_CASE("TestLocalComposeExec: exec of a service without containers fails with service x is not running") {
  Project p(kSimpleComposefile, "compose-e2e-exec");
  p.ok({"up", "-d", "simple"});
  auto unknown = p.run({"exec", "nosuch", "busybox", "true"});
  INFO(unknown.err);
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("service \"nosuch\" is not running") != std::string::npos);
  auto not_started = p.run({"exec", "another", "busybox", "true"});
  INFO(not_started.err);
  CHECK(not_started.exit_code == 1);
  CHECK(not_started.err.find("service \"another\" is not running") != std::string::npos);
}

// Not asserted upstream, the same lookup: --env-file stands for .env, the shell's value wins
// over both, and by project name alone (no compose file) the .env of the current folder counts.
TEST_CASE("TestLocalComposeExec: exec -e FOO takes FOO from --env-file, the shell wins, and by name the folder's .env") {
  Project p(kSimpleComposefile, "compose-e2e-exec");
  mycompose::fs::write_file_atomic(p.dir / ".env", "FOO=from-dotenv\n");
  mycompose::fs::write_file_atomic(p.dir / "other.env", "FOO=from-env-file\n");
  Cli c = p;
  c.o.unset_env.push_back("FOO");
  c.ok({"up", "-d", "simple"});

  auto from_file = c.run({"--env-file", "other.env", "exec", "-e", "FOO", "simple", "busybox", "env"});
  INFO(from_file.out << from_file.err);
  CHECK(from_file.exit_code == 0);
  CHECK(from_file.out.find("FOO=from-env-file") != std::string::npos);

  Cli shell = p;
  shell.o.env["FOO"] = "from-shell";
  auto shell_wins = shell.run({"exec", "-e", "FOO", "simple", "busybox", "env"});
  INFO(shell_wins.out << shell_wins.err);
  CHECK(shell_wins.out.find("FOO=from-shell") != std::string::npos);

  Cli by_name = elsewhere(p);
  by_name.o.unset_env.push_back("FOO");
  mycompose::fs::write_file_atomic(stdfs::path(by_name.o.cwd) / ".env", "FOO=from-elsewhere\n");
  auto named = by_name.run({"-p", "compose-e2e-exec", "exec", "-e", "FOO", "simple", "busybox", "env"});
  INFO(named.out << named.err);
  CHECK(named.exit_code == 0);
  CHECK(named.out.find("FOO=from-elsewhere") != std::string::npos);
}
