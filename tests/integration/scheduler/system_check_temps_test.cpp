// Temporaries a killed load, pull or build leaves under a root (seen on 4e3e14c: a load
// killed while it hung on a FIFO left content/tmp/load-*, which `system check` did not
// report). Their names carry the owner's pid: `system check` reports those whose owner is
// gone, `--fix` removes them, and the temporaries of a process still at work stay.
#include <sys/wait.h>
#include <unistd.h>

#include "../system_check_helpers.hpp"
#include "mycompose/common/fs.hpp"

namespace stdfs = std::filesystem;

namespace {

// A pid that no process has: a child that exited and was reaped.
pid_t gone_pid() {
  pid_t pid = ::fork();
  if (pid == 0) _exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

struct TempRoot {
  stdfs::path dir;
  TempRoot() {
    char tmpl[] = "/tmp/mycompose-temps-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
  }
  ~TempRoot() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  stdfs::path root() const { return dir / "root"; }
};

}  // namespace

TEST_CASE("system check temps: what a killed load, pull or build left is reported and fixed, a live process's stays") {
  TempRoot t;
  const auto root = t.root();
  const std::string dead = std::to_string(gone_pid()), live = std::to_string(::getpid());
  const std::vector<stdfs::path> leftovers = {
      root / "content/tmp" / ("load-" + dead + "-0123456789ab"),
      root / "content/tmp" / ("blob-" + dead + "-0123456789ab"),
      root / "layers" / (".tmp-" + dead + "-0123456789ab"),
      root / "layers" / (".del-" + dead + "-0123456789ab"),
      root / "build/tmp" / (dead + "-0123456789ab"),
      root / "content/tmp" / "load-31337000000",  // an older name, without its owner
  };
  const std::vector<stdfs::path> in_use = {
      root / "content/tmp" / ("load-" + live + "-0123456789ab"),
      root / "build/tmp" / (live + "-0123456789ab"),
      root / "content/tmp/.pull.lock",
  };
  for (const auto& p : leftovers) {
    stdfs::create_directories(p.parent_path());
    if (p.filename().string().rfind("blob-", 0) == 0) mycompose::fs::write_file_atomic(p, "partial");
    else mycompose::fs::make_dirs(p / "x", 0700);
  }
  for (const auto& p : in_use) {
    stdfs::create_directories(p.parent_path());
    if (p.filename() == ".pull.lock") mycompose::fs::write_file_atomic(p, "");
    else mycompose::fs::make_dirs(p, 0700);
  }

  auto check = mycompose::test::system_check(root);
  INFO(check.out << check.err);
  CHECK(check.exit_code == 1);
  for (const auto& p : leftovers) CHECK(check.out.find("temp " + p.string() + ": ") != std::string::npos);
  CHECK(check.out.find("the staging folder of an image load, left by process " + dead + ", which is gone") != std::string::npos);
  for (const auto& p : in_use) CHECK(check.out.find(p.string()) == std::string::npos);

  auto fix = mycompose::test::system_check(root, true);
  INFO(fix.out << fix.err);
  CHECK(fix.exit_code == 0);
  for (const auto& p : leftovers) CHECK_FALSE(stdfs::exists(p));
  for (const auto& p : in_use) CHECK(stdfs::exists(p));
  CHECK(mycompose::test::system_check(root).exit_code == 0);
}
