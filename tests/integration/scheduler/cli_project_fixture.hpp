#pragma once
// A project folder with a compose.yaml on its own MYCOMPOSE_ROOT (with busybox:test), driven
// through the real binary. The destructor runs `down -v`, stops the engine the CLI started
// and reaps what it leaves (the test is a subreaper), then the Root removes the rest.
#include <sys/prctl.h>
#include <sys/wait.h>

#include "store_fixture.hpp"

namespace cli_project {

using namespace store_test;

struct Project {
  Root r;
  stdfs::path dir;
  mycompose::test::RunOptions o;

  explicit Project(const std::string& compose_yaml) {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    dir = r.dir / "proj";
    stdfs::create_directories(dir);
    mycompose::fs::write_file_atomic(dir / "compose.yaml", compose_yaml);
    o.env = {{"MYCOMPOSE_ROOT", r.root().string()}};
    o.cwd = dir.string();
    o.timeout_seconds = 60;
  }
  ~Project() {
    run({"down", "-v", "-t", "0"});
    run({"engine", "stop"});
    for (int i = 0; i < 500; ++i) {
      int status;
      pid_t p = ::waitpid(-1, &status, WNOHANG);
      if (p < 0) break;  // no children left
      if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
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
  ContainerStore store() const { return ContainerStore(r.root()); }
};

}  // namespace cli_project
