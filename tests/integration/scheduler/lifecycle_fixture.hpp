#pragma once
// The lifecycle tests drive the real binary on a project in a temp root: `Project` writes
// compose.yaml, runs `mycompose …` there, parses `ps --format json`, and at the end takes
// the project down and stops the engine it started (reaping it: the test is a subreaper).
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "store_fixture.hpp"

namespace lifecycle_test {

using namespace store_test;
using nlohmann::json;

struct Project {
  Root root;
  stdfs::path dir;
  mycompose::test::RunOptions opts;

  explicit Project(const std::string& yaml, const std::string& name = "proj") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    dir = root.dir / name;
    stdfs::create_directories(dir);
    stdfs::create_directories(root.dir / "out");
    std::string text = yaml;  // @OUT@: the test's output folder, to bind-mount
    for (auto at = text.find("@OUT@"); at != std::string::npos; at = text.find("@OUT@"))
      text.replace(at, 5, (root.dir / "out").string());
    mycompose::fs::write_file_atomic(dir / "compose.yaml", text);
    opts.env = {{"MYCOMPOSE_ROOT", root.root().string()}};
    opts.cwd = dir.string();
    opts.timeout_seconds = 60;
  }
  ~Project() {
    run({"down", "-v", "-t", "0"});
    auto o = opts;
    mycompose::test::run({mycompose::test::mycompose_bin(), "engine", "stop"}, o);
    reap_all();
  }
  // Children this test no longer waits for (the engine, orphaned container inits).
  static void reap_all() {
    for (int i = 0; i < 500; ++i) {
      int status;
      pid_t p = ::waitpid(-1, &status, WNOHANG);
      if (p < 0) break;
      if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  stdfs::path out() const { return root.dir / "out"; }

  mycompose::test::RunResult run(const std::vector<std::string>& args, const std::string& input = "") const {
    auto o = opts;
    o.input = input;
    std::vector<std::string> argv{mycompose::test::mycompose_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return mycompose::test::run(argv, o);
  }
  // `ps -a --format json`, by container name.
  std::map<std::string, json> ps() const {
    auto r = run({"ps", "-a", "--format", "json"});
    REQUIRE(r.exit_code == 0);
    std::map<std::string, json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      json j = json::parse(line);
      out[j["Name"].get<std::string>()] = j;
    }
    return out;
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
};

// A `mycompose …` running in the background, its output going to files.
struct Background {
  pid_t pid = -1;
  stdfs::path out_file, err_file;
  Background(const Project& p, const std::vector<std::string>& args, const std::string& tag) {
    out_file = p.root.dir / (tag + ".out");
    err_file = p.root.dir / (tag + ".err");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addchdir_np(&fa, p.dir.c_str());
    std::vector<std::string> argv{mycompose::test::mycompose_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.push_back(*e);
    env.push_back("MYCOMPOSE_ROOT=" + p.root.root().string());
    std::vector<char*> cenv;
    for (auto& e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    if (posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, cargv.data(), cenv.data()) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  bool running() {
    if (pid <= 0) return false;
    int status;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
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
  int exit_code = -1;
};

inline std::size_t pos(const std::string& text, const std::string& what) {
  auto p = text.find(what);
  INFO("looking for: " << what << "\nin:\n" << text);
  REQUIRE(p != std::string::npos);
  return p;
}

}  // namespace lifecycle_test
