// docker compose pkg/e2e/cancel_test.go: Ctrl-C of `build --progress plain` (SIGINT to the
// build's process group, as a terminal sends it) cancels the running step, which the plain
// progress reports as CANCELED on stdout (docker compose's build display writes to stdout).
// fixtures/build-infinite with FROM busybox:test. Beyond upstream: the build exits with
// docker compose's 130 and leaves nothing behind (the fixture's system check on the way out);
// the same for SIGTERM of the CLI alone (docker compose: 130 too), for up --build and
// run --build, for a second Ctrl-C (forced), and a builder killed with SIGKILL leaves only
// what the next build or `system check --fix` removes.
#include <signal.h>
#include <spawn.h>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace cancel_e2e {

// `mycompose ARGS…` in the project's folder, in a process group of its own with SIGINT at its
// default action (a test runner may have it ignored), stdout and stderr to files.
struct GroupLeader {
  pid_t pid = -1;
  int exit_code = -1;
  stdfs::path out_file, err_file;

  GroupLeader(const Project& p, const std::vector<std::string>& args) {
    out_file = p.r.dir / "cancel.out";
    err_file = p.r.dir / "cancel.err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGQUIT);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid = spawn_cli(p, args, &fa, &attr);  // in the project's folder, with its MYCOMPOSE_ROOT
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
  }
  GroupLeader(const GroupLeader&) = delete;
  GroupLeader& operator=(const GroupLeader&) = delete;
  ~GroupLeader() {
    if (pid > 0) {
      ::kill(-pid, SIGKILL);
      wait_exit(0);
    }
  }
  std::string out() const { return mycompose::fs::read_file(out_file); }
  std::string err() const { return mycompose::fs::read_file(err_file); }
  // Polls `where` for `text`, up to `seconds`.
  bool eventually(bool on_stdout, const std::string& text, int seconds) const {
    for (int i = 0; i < seconds * 10; ++i) {
      if ((on_stdout ? out() : err()).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // `text` on either stream (`run --build` shows its build on stderr: stdout is the container's).
  bool eventually_anywhere(const std::string& text, int seconds) const {
    for (int i = 0; i < seconds * 10; ++i) {
      if ((out() + err()).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // Reaps the leader within `seconds` (0: blocks); false when it still runs.
  bool wait_exit(int seconds) {
    for (int i = 0; pid > 0; ++i) {
      int status;
      pid_t got = ::waitpid(pid, &status, seconds == 0 ? 0 : WNOHANG);
      if (got == pid) {
        exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pid = -1;
        break;
      }
      if (i >= seconds * 10) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
  }
};

}  // namespace cancel_e2e

TEST_CASE("TestComposeCancel: Ctrl-C of build --progress plain reports the running step CANCELED") {
  Project p("services:\n    service1:\n        build: service1\n", "build-infinite");
  stdfs::create_directories(p.dir / "service1");
  mycompose::fs::write_file_atomic(p.dir / "service1/Dockerfile", "FROM busybox:test\n\nRUN sleep infinity\n");
  p.ok({"ls"});

  cancel_e2e::GroupLeader build(p, {"build", "--progress", "plain"});
  REQUIRE(build.pid > 0);
  const pid_t group = build.pid;
  bool started = build.eventually(true, "RUN sleep infinity", 30);
  INFO("stdout:\n" << build.out() << "\nstderr:\n" << build.err());
  CHECK(started);
  // Wherever it printed the step, the step runs: Ctrl-C now.
  REQUIRE((started || build.eventually(false, "RUN sleep infinity", 1)));

  REQUIRE(::kill(-group, SIGINT) == 0);  // simulate Ctrl-C: the whole process group
  CHECK(build.eventually(true, "CANCELED", 10));
  bool exited = build.wait_exit(30);
  INFO("stdout:\n" << build.out() << "\nstderr:\n" << build.err());
  CHECK(exited);
  CHECK(build.exit_code == 130);
  // Nothing of the canceled step runs on (orphans reaped first: a zombie still counts).
  reap_children();
  if (exited) CHECK(::kill(-group, 0) != 0);
}

namespace cancel_e2e {

const char* const kCompose = "services:\n    service1:\n        build: service1\n";

// service1's Dockerfile with `RUN run`; returns the step's text as the progress prints it.
std::string write_dockerfile(const Project& p, const std::string& run) {
  stdfs::create_directories(p.dir / "service1");
  mycompose::fs::write_file_atomic(p.dir / "service1/Dockerfile", "FROM busybox:test\n\nRUN " + run + "\n");
  return "RUN " + run;
}

// Waits for `step` to start, sends `sig` (to the group, or to the CLI alone) `times` times,
// then REQUIREs that the CLI exits and that every process of its group is gone after it.
void signal_step(GroupLeader& cli, const std::string& step, int sig, bool group, int times) {
  REQUIRE(cli.pid > 0);
  const pid_t leader = cli.pid;
  bool started = cli.eventually_anywhere(step, 60);
  INFO("stdout:\n" << cli.out() << "\nstderr:\n" << cli.err());
  REQUIRE(started);
  for (int i = 0; i < times; ++i) REQUIRE(::kill(group ? -leader : leader, sig) == 0);
  REQUIRE(cli.wait_exit(60));
  bool group_gone = false;
  for (int i = 0; i < 600 && !group_gone; ++i) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }  // the test is the subreaper: a zombie still counts
    group_gone = ::kill(-leader, 0) != 0;
    if (!group_gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(group_gone);
}

void require_clean(const Project& p) {
  auto check = mycompose::test::system_check(p.r.root());
  INFO("system check:\n" << check.out << check.err);
  CHECK(check.exit_code == 0);
}

}  // namespace cancel_e2e

TEST_CASE("TestComposeCancel: SIGTERM of build alone cancels the step, exits 130 and leaves nothing") {
  Project p(cancel_e2e::kCompose, "build-infinite");
  // A step that ignores SIGTERM and SIGINT: only the container's stop ends it.
  const auto step = cancel_e2e::write_dockerfile(p, "trap '' INT TERM; sleep infinity");
  cancel_e2e::GroupLeader build(p, {"build", "--progress", "plain"});
  cancel_e2e::signal_step(build, step, SIGTERM, false, 1);
  INFO("stdout:\n" << build.out() << "\nstderr:\n" << build.err());
  CHECK(build.out().find("CANCELED\n") != std::string::npos);
  CHECK(build.exit_code == 130);
  CHECK(build.err().find("error") == std::string::npos);
  cancel_e2e::require_clean(p);
}

TEST_CASE("TestComposeCancel: Ctrl-C of up --build and of run --build cancels the build, exits 130 and leaves nothing") {
  Project p(cancel_e2e::kCompose, "build-infinite");
  const auto step = cancel_e2e::write_dockerfile(p, "trap '' INT TERM; sleep infinity");
  for (const auto& args : std::vector<std::vector<std::string>>{{"up", "--build"}, {"run", "--build", "--rm", "service1", "true"}}) {
    INFO(args.front());
    cancel_e2e::GroupLeader cli(p, args);
    cancel_e2e::signal_step(cli, step, SIGINT, true, 1);
    INFO("stdout:\n" << cli.out() << "\nstderr:\n" << cli.err());
    CHECK((cli.out() + cli.err()).find("CANCELED\n") != std::string::npos);  // run: on stderr
    CHECK(cli.exit_code == 130);
    cancel_e2e::require_clean(p);
  }
  CHECK(p.ps().empty());  // the build never finished: nothing was created
}

TEST_CASE("TestComposeCancel: a second Ctrl-C quits at once and still leaves nothing") {
  Project p(cancel_e2e::kCompose, "build-infinite");
  const auto step = cancel_e2e::write_dockerfile(p, "trap '' INT TERM; sleep infinity");
  cancel_e2e::GroupLeader build(p, {"build", "--progress", "plain"});
  cancel_e2e::signal_step(build, step, SIGINT, true, 2);
  INFO("stdout:\n" << build.out() << "\nstderr:\n" << build.err());
  CHECK(build.exit_code == 128 + SIGINT);  // docker compose's force quit: the signal's own end
  cancel_e2e::require_clean(p);
}

TEST_CASE("TestComposeCancel: a builder killed with SIGKILL during a RUN step leaves nothing, and the next build runs") {
  Project p(cancel_e2e::kCompose, "build-infinite");
  const auto step = cancel_e2e::write_dockerfile(p, "trap '' INT TERM; sleep infinity");
  {
    cancel_e2e::GroupLeader build(p, {"build", "--progress", "plain"});
    cancel_e2e::signal_step(build, step, SIGKILL, false, 1);
    CHECK(build.exit_code == 128 + SIGKILL);
  }
  cancel_e2e::require_clean(p);
  cancel_e2e::write_dockerfile(p, "true");
  auto r = p.run({"build", "--progress", "plain"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
}
