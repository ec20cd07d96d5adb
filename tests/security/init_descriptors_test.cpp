// Class: a host object held by a process of the container (CVE-2024-21626 and its family).
// A descriptor, working directory, root or file mapping of a host file kept by any process
// in the container, our init included, is a way out for a container process that may look at
// /proc/<pid>/{fd,cwd,root,map_files} (CAP_SYS_PTRACE, CAP_SYS_ADMIN): /proc/1/fd/4/../..
// was the host's MYCOMPOSE_ROOT, /proc/1/map_files/* the host's libc. With cap_add: [ALL]
// (not privileged) a script walks every such link of every process of the container and
// tries to list and create files through it; the host checks every object those processes
// hold lies on the container's own mounts or can lead nowhere (a pipe, a FIFO, the exit
// record open write-only, /dev/null).
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"
#include "container_processes.hpp"

using namespace store_test;
namespace cp = container_processes;

namespace {

constexpr const char* kMarker = "mycompose-host-marker";

// Run in the container: for every process, every /proc link that names a file object, up to
// four levels above it: a listing that shows a host marker, a foreign folder or mapping (its
// path names another object, or nothing, in the container), a file created through it.
constexpr const char* kWalk = R"SH(B=busybox
try() {
  t=$($B readlink "$1" 2>/dev/null)
  case "$t" in pipe:*|socket:*|anon_inode:*|/memfd:*|"") return;; esac
  case "$1" in */map_files/*) kind=map;; *) [ -d "$1" ] && kind=folder || kind=;; esac
  if [ -n "$kind" ] && [ "$($B stat -L -c %d:%i "$1" 2>/dev/null)" != "$($B stat -c %d:%i "$t" 2>/dev/null)" ]; then
    echo "FOREIGN $kind $1 -> $t"
  fi
  n=$(echo "$1" | $B tr / _)
  for s in "" /.. /../.. /../../.. /../../../..; do
    if $B ls -a "$1$s/" 2>/dev/null | $B grep -q mycompose-host-marker; then echo "REACHED $1$s"; fi
    $B touch "$1$s/escape$n" 2>/dev/null
  done
}
for d in /proc/[0-9]*; do
  for l in $d/fd/* $d/cwd $d/root $d/map_files/*; do try "$l"; done
done
echo walked
)SH";

// The host folders a link into the state could reach: MYCOMPOSE_ROOT, its runtime and
// containers folders and each container's folders there (not their rootfs or upper layer).
std::vector<stdfs::path> host_folders(const cli_project::Project& p) {
  std::vector<stdfs::path> out{p.r.dir, p.r.root(), p.r.root() / "runtime", p.r.root() / "containers"};
  std::error_code ec;
  for (const char* sub : {"runtime", "containers"})
    for (const auto& e : stdfs::directory_iterator(p.r.root() / sub, ec))
      if (e.is_directory(ec)) out.push_back(e.path());
  return out;
}

std::vector<std::string> escapes_on_host(const cli_project::Project& p) {
  std::vector<std::string> found;
  for (const auto& dir : host_folders(p)) {
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(dir, ec))
      if (e.path().filename().string().rfind("escape", 0) == 0) found.push_back(e.path().string());
  }
  return found;
}

void wait_for(const stdfs::path& file) {
  for (int i = 0; i < 1200 && !stdfs::exists(file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE(stdfs::exists(file));
}

}  // namespace

TEST_CASE("security: no process of a cap_add ALL container reaches a host folder or file through /proc/<pid>/fd cwd root or map_files") {
  cli_project::Project p(R"(services:
  plain:
    image: busybox:test
    cap_add: [ALL]
    stdin_open: true
    environment: {NAME: plain}
    command: ["sh", "-c", "sh /out/walk.sh > /out/$$NAME.txt 2>&1; echo > /out/$$NAME.done; exec sleep 1000"]
    volumes: ["@OUT@:/out"]
  tty:
    image: busybox:test
    cap_add: [ALL]
    stdin_open: true
    tty: true
    environment: {NAME: tty}
    command: ["sh", "-c", "sh /out/walk.sh > /out/$$NAME.txt 2>&1; echo > /out/$$NAME.done; exec sleep 1000"]
    volumes: ["@OUT@:/out"]
)");
  mycompose::fs::write_file_atomic(p.out / "walk.sh", kWalk);
  for (const auto& dir : {p.r.dir, p.r.root(), p.r.root() / "runtime", p.r.root() / "containers"}) {
    stdfs::create_directories(dir);
    mycompose::fs::write_file_atomic(dir / kMarker, "host\n");
  }
  p.ok({"up", "-d"});
  for (const std::string name : {"plain", "tty"}) {
    INFO("service " << name);
    wait_for(p.out / (name + ".done"));
    const std::string walked = mycompose::fs::read_file(p.out / (name + ".txt"));
    INFO("the container's walk:\n" << walked);
    CHECK(walked.find("walked") != std::string::npos);
    CHECK(walked.find("REACHED") == std::string::npos);
    CHECK(walked.find("FOREIGN") == std::string::npos);

    auto c = p.store().find("proj-" + name + "-1");
    REQUIRE(c);
    const pid_t init = cp::init_pid(p.r.root(), c->id);
    CHECK(cp::processes(init).size() >= 2);  // the init and the app at least
    const auto held = cp::host_objects(init);
    INFO("host objects held in the container:\n" << cp::joined(held));
    CHECK(held.empty());
  }
  const auto escapes = escapes_on_host(p);
  INFO("files created on the host through the container's links:\n" << cp::joined(escapes));
  CHECK(escapes.empty());
}

TEST_CASE("security: an exec'd process and a health probe hold no host folder and the init's stdio leads nowhere") {
  cli_project::Project p(R"(services:
  app:
    image: busybox:test
    cap_add: [ALL]
    command: ["sleep", "1000"]
    healthcheck: {test: ["CMD", "sleep", "1000"], interval: 100ms, timeout: 100s}
)");
  p.ok({"up", "-d"});
  auto c = p.store().find("proj-app-1");
  REQUIRE(c);
  const pid_t init = cp::init_pid(p.r.root(), c->id);
  // A workdir through a descriptor of the exec'ing process (CVE-2024-21626) is refused.
  for (int fd = 3; fd < 12; ++fd) {
    auto r = p.run({"exec", "-w", "/proc/self/fd/" + std::to_string(fd), "app", "sh", "-c", "ls -a ../../.. | grep mycompose"});
    INFO("fd " << fd << ": " << r.out << r.err);
    CHECK(r.out.find("mycompose") == std::string::npos);
  }
  p.ok({"exec", "-d", "app", "sleep", "1000"});
  // The probe (sleep 1000) and the exec'd sleep run beside the app.
  for (int i = 0; i < 200 && cp::processes(init).size() < 4; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(cp::processes(init).size() >= 4);
  const auto held = cp::host_objects(init);
  INFO("host objects held in the container:\n" << cp::joined(held));
  CHECK(held.empty());
  // The output FIFOs are host files, but a FIFO is no folder: nothing above it opens.
  auto r = p.run({"exec", "app", "sh", "-c", "for f in 0 1 2; do ls /proc/1/fd/$f/ /proc/1/fd/$f/.. 2>/dev/null && echo OPENED; done; echo ok"});
  CHECK(r.out == "ok\n");
}
