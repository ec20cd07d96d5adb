// docker compose pkg/e2e/cancel_test.go: Ctrl-C of `build --progress plain` (SIGINT to the
// build's process group, as a terminal sends it) cancels the running step, which the plain
// progress reports as CANCELED on stdout (docker compose's build display writes to stdout).
// fixtures/build-infinite with FROM busybox:test. Beyond upstream: the build exits with
// docker compose's 130 and leaves nothing behind (the fixture's system check on the way out).
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
    posix_spawn_file_actions_addchdir_np(&fa, p.dir.c_str());
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
    std::vector<std::string> argv{mycompose::test::mycompose_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.push_back(*e);
    env.push_back("MYCOMPOSE_ROOT=" + p.r.root().string());
    std::vector<char*> cenv;
    for (auto& e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    if (posix_spawn(&pid, argv[0].c_str(), &fa, &attr, cargv.data(), cenv.data()) != 0) pid = -1;
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
