#pragma once
// The one fixture of the CLI integration tests: a compose project folder on its own
// MYCOMPOSE_ROOT (with busybox:test), driven through the real binary, whose engine is
// started on demand by the CLI.
//
//   Project p(yaml);           // "@OUT@" in the YAML: p.out, a host folder to bind-mount
//   p.ok({"up", "-d"});        // `mycompose up -d` in p.dir; requires exit 0
//   auto r = p.run({"ps"});    // any exit status
//
// On the way out (even after a failed CHECK) the project is taken down (`down -v -t 0`, which
// must pass), the engine stopped and every child reaped (the test is the subreaper of what it
// starts: the machine's PID 1 may not reap orphans), then `system check` must find nothing. `finish()`
// does the same at a point of the test's choosing, with `down -v` required to pass.
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../system_check_helpers.hpp"
#include "store_fixture.hpp"

namespace cli_project {

using namespace store_test;
using nlohmann::json;

// Reaps every child the test no longer waits for (the engine, orphaned container inits).
inline void reap_children() {
  for (int i = 0; i < 500; ++i) {
    int status;
    pid_t p = ::waitpid(-1, &status, WNOHANG);
    if (p < 0) break;  // no children left
    if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// `mycompose …` with one environment and working folder.
struct Cli {
  mycompose::test::RunOptions o;

  Cli() = default;
  explicit Cli(const stdfs::path& root, const stdfs::path& cwd = {}) {
    o.env = {{"MYCOMPOSE_ROOT", root.string()}};
    o.cwd = cwd.string();
    o.timeout_seconds = 60;
  }
  mycompose::test::RunResult run(std::vector<std::string> args, const std::string& input = "") const {
    args.insert(args.begin(), mycompose::test::mycompose_bin());
    auto opts = o;
    opts.input = input;
    return mycompose::test::run(args, opts);
  }
  // Runs and requires exit 0, printing stderr otherwise.
  std::string ok(const std::vector<std::string>& args, const std::string& input = "") const {
    auto res = run(args, input);
    INFO("mycompose " << args.front() << ": " << res.err);
    REQUIRE(res.exit_code == 0);
    return res.out;
  }
  // Stops the engine the CLI started and reaps it.
  void stop_engine() const {
    run({"engine", "stop"});
    reap_children();
  }
};

// require_no_leaks without throwing, for a destructor.
inline void check_no_leaks(const stdfs::path& root) {
  INFO("root " << root.string());
  CHECK_FALSE(mycompose::test::engine_running(root));
  auto r = mycompose::test::system_check(root);
  INFO("mycompose system check:\n" << r.out << r.err);
  CHECK(r.exit_code == 0);
}

struct Project : Cli {
  Root r;
  stdfs::path dir;  // the project folder, <r.dir>/<name>, with compose.yaml
  stdfs::path out;  // <r.dir>/out, for the containers to write into

  explicit Project(const std::string& compose_yaml, const std::string& name = "proj")
      : Cli(), dir(r.dir / name), out(r.dir / "out") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    stdfs::create_directories(dir);
    stdfs::create_directories(out);
    std::string text = compose_yaml;
    for (auto at = text.find("@OUT@"); at != std::string::npos; at = text.find("@OUT@")) text.replace(at, 5, out.string());
    mycompose::fs::write_file_atomic(dir / "compose.yaml", text);
    o = Cli(r.root(), dir).o;
  }
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;
  ~Project() {
    if (finished_) return;
    auto down = run({"down", "-v", "-t", "0"});
    // A model the test broke on purpose cannot be loaded: down by project name, from the
    // resources' labels, as a user would.
    if (down.exit_code == 1) down = run({"-p", dir.filename().string(), "down", "-v", "-t", "0"});
    stop_engine();
    // After a failed REQUIRE the test is over already; its leaks would only add noise.
    if (std::uncaught_exceptions() == 0) {
      // A down that fails leaves what it did not remove to the temp root's deletion, which
      // cannot take host objects (a bridge, nft rules) with it.
      INFO("down -v -t 0 on the way out: " << down.err);
      CHECK(down.exit_code == 0);
      check_no_leaks(r.root());
    }
  }
  // down -v passes, the engine is stopped, and nothing is left on the host.
  void finish() {
    auto down = run({"down", "-v"});
    INFO(down.err);
    CHECK(down.exit_code == 0);
    stop_engine();
    finished_ = true;
    mycompose::test::require_no_leaks(r.root());
  }

  ContainerStore store() const { return ContainerStore(r.root()); }
  stdfs::path container_dir(const std::string& name) const {
    auto c = store().find(name);
    return c ? r.root() / "containers" / c->id : stdfs::path();
  }
  // `ps -a --format json`, by container name.
  std::map<std::string, json> ps() const {
    auto res = run({"ps", "-a", "--format", "json"});
    REQUIRE(res.exit_code == 0);
    std::map<std::string, json> all;
    std::istringstream in(res.out);
    for (std::string line; std::getline(in, line);) {
      json j = json::parse(line);
      all[j["Name"].get<std::string>()] = j;
    }
    return all;
  }
  // Polls ps until the container is in `state` (up to 10 s); returns its last state.
  std::string wait_state(const std::string& name, const std::string& state) const {
    std::string last;
    for (int i = 0; i < 200; ++i) {
      auto all = ps();
      last = all.count(name) ? all[name]["State"].get<std::string>() : "";
      if (last == state) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return last;
  }

 private:
  bool finished_ = false;
};

// A `mycompose …` running in the background in the project's folder, its output going to files.
// `mycompose ARGS…` started in the project's folder with its root and the stdio `fa` sets up
// (the caller adds its opens and dup2s, then destroys fa); -1 when it cannot start.
inline pid_t spawn_cli(const Project& p, const std::vector<std::string>& args, posix_spawn_file_actions_t* fa,
                       const posix_spawnattr_t* attr = nullptr) {
  posix_spawn_file_actions_addchdir_np(fa, p.dir.c_str());
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
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0].c_str(), fa, attr, cargv.data(), cenv.data()) != 0) return -1;
  return pid;
}

struct Background {
  pid_t pid = -1;
  int exit_code = -1;
  stdfs::path out_file, err_file;

  Background(const Project& p, const std::vector<std::string>& args, const std::string& tag) {
    out_file = p.r.dir / (tag + ".out");
    err_file = p.r.dir / (tag + ".err");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid = spawn_cli(p, args, &fa);
    posix_spawn_file_actions_destroy(&fa);
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  bool running() {
    if (pid <= 0) return false;
    int status;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid = -1;
    }
    return pid > 0;
  }
  int wait() {
    if (pid > 0) {
      int status;
      ::waitpid(pid, &status, 0);
      exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid = -1;
    }
    return exit_code;
  }
  void stop() {
    if (pid > 0) ::kill(pid, SIGTERM);
    wait();
  }
  ~Background() {
    if (pid > 0) ::kill(pid, SIGKILL);
    wait();
  }
  std::string out() const { return mycompose::fs::read_file(out_file); }
  std::string err() const { return mycompose::fs::read_file(err_file); }
};

// A project whose `app` waits on two depends_on conditions: db turns healthy, seed completes
// successfully. Each writes a file into @OUT@ just before its condition holds, so what app
// reads first proves it waited; app itself writes what it saw to @OUT@/app-saw.
inline const char* const kGatedProject = R"(services:
  db:
    image: busybox:test
    command: ["sh", "-c", "sleep 1; echo ready > /out/ready; echo > /ready; exec sleep 1000"]
    volumes: ["@OUT@:/out"]
    healthcheck: {test: ["CMD", "cat", "/ready"], interval: 100ms, retries: 50}
  seed:
    image: busybox:test
    command: ["sh", "-c", "sleep 0.5; echo seeded > /out/seed"]
    volumes: ["@OUT@:/out"]
  app:
    image: busybox:test
    depends_on:
      db: {condition: service_healthy}
      seed: {condition: service_completed_successfully}
    command: ["sh", "-c", "cat /out/ready /out/seed > /out/app-saw; exec sleep 1000"]
    volumes: ["@OUT@:/out"]
)";

// Where `what` stands in `text`; fails the test when it is not there.
inline std::size_t pos(const std::string& text, const std::string& what) {
  auto p = text.find(what);
  INFO("looking for: " << what << "\nin:\n" << text);
  REQUIRE(p != std::string::npos);
  return p;
}

}  // namespace cli_project
