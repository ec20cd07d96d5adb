#pragma once
// For the end of every integration test that made host resources on a root:
//
//   mycompose::test::require_no_leaks(root);
//
// runs `mycompose system check` on the root (the real binary, so any test program can use
// it whatever libraries it links) and fails the test with the list of leaks when it finds
// any; a still running engine of the root fails it too (stop it first: `mycompose engine
// stop`). Call it after your own cleanup, before the root folder is removed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "../support/run.hpp"

namespace mycompose::test {

// Whether a process holds <root>/engine.pid's lock (a running engine).
inline bool engine_running(const std::filesystem::path& root) {
  int fd = ::open((root / "engine.pid").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // drops our shared lock, if we got one
  return held;
}

inline RunResult system_check(const std::filesystem::path& root, bool fix = false) {
  RunOptions o;
  o.env = {{"MYCOMPOSE_ROOT", root.string()}};
  o.timeout_seconds = 60;
  std::vector<std::string> args{mycompose_bin(), "system", "check"};
  if (fix) args.push_back("--fix");
  return run(args, o);
}

inline void require_no_leaks(const std::filesystem::path& root) {
  INFO("root " << root.string());
  REQUIRE_FALSE(engine_running(root));
  auto r = system_check(root);
  INFO("mycompose system check:\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace mycompose::test
