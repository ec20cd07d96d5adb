// Class: a privileged process inside the container (CVE-2016-9962 family). The init is PID 1
// of every container and lives as long as it; a container process with CAP_SYS_PTRACE
// (cap_add) can ptrace it whatever its dumpable flag says, and then make it do anything its
// own privileges allow. It kept the host's full capability set with no seccomp filter, so
// ptrace of PID 1 turned cap_add: [SYS_PTRACE] into every capability (mount, modules, ...).
// The init must hold no more than its app: capabilities, no_new_privs and the same seccomp.
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"
#include "container_processes.hpp"
#include "probe.hpp"

using namespace store_test;
namespace cp = container_processes;

namespace {

pid_t init_of(const cli_project::Project& p, const std::string& service) {
  auto c = p.store().find("proj-" + service + "-1");
  REQUIRE(c);
  return cp::init_pid(p.r.root(), c->id);
}

pid_t app_of(pid_t init) {
  std::vector<pid_t> kids;
  for (int i = 0; i < 100 && (kids = cp::children(init)).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(kids.size() == 1);
  return kids[0];
}

}  // namespace

TEST_CASE("security: the init holds no capability or seccomp freedom its app lacks (cap_add ALL and default)") {
  cli_project::Project p(R"(services:
  all:
    image: busybox:test
    cap_add: [ALL]
    command: ["sleep", "1000"]
  dflt:
    image: busybox:test
    command: ["sleep", "1000"]
  nokill:
    image: busybox:test
    cap_drop: [KILL]
    command: ["sleep", "1000"]
)");
  p.ok({"up", "-d"});
  for (const std::string s : {"all", "dflt", "nokill"}) {
    INFO("service " << s);
    const pid_t init = init_of(p, s), app = app_of(init);
    for (const char* set : {"CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"}) {
      INFO(set << ": init " << std::hex << cp::status_field(init, set) << ", app " << cp::status_field(app, set));
      CHECK((cp::status_field(init, set) & ~cp::status_field(app, set)) == 0);
    }
    CHECK(cp::status_field(init, "CapAmb") == 0);
    CHECK(cp::status_field(init, "NoNewPrivs", 10) == 1);
    CHECK(cp::status_field(app, "Seccomp", 10) == 2);
    CHECK(cp::status_field(init, "Seccomp", 10) == 2);
  }
  // The app keeps Docker's defaults.
  CHECK(cp::status_field(app_of(init_of(p, "dflt")), "CapEff") == 0xa80425fbULL);
  CHECK(cp::status_field(app_of(init_of(p, "dflt")), "NoNewPrivs", 10) == 0);
}

TEST_CASE("security: a container process with CAP_SYS_PTRACE that takes over the init gains nothing (sethostname from PID 1 fails)") {
  cli_project::Project p(R"(services:
  app:
    image: busybox:test
    cap_add: [SYS_PTRACE]
    volumes: ["@OUT@:/out"]
    command: ["sh", "-c", "/out/ptrace_pid1 > /out/result.tmp; mv /out/result.tmp /out/result; exec sleep 1000"]
)");
  stdfs::copy_file(security_test::probe("ptrace_pid1"), p.out / "ptrace_pid1");
  p.ok({"up", "-d"});
  for (int i = 0; i < 600 && !stdfs::exists(p.out / "result"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string result = stdfs::exists(p.out / "result") ? mycompose::fs::read_file(p.out / "result") : "";
  INFO("sethostname made by PID 1 under the container's ptrace returned: " << result);
  CHECK(result == std::to_string(-EPERM) + "\n");
  CHECK(p.ok({"exec", "app", "hostname"}) != "ptraced\n");
}

TEST_CASE("security: stop reaches an app that runs as another user (the init may still signal it)") {
  cli_project::Project p(R"(services:
  usr:
    image: busybox:test
    user: "1000"
    command: ["sleep", "1000"]
)");
  p.ok({"up", "-d"});
  p.ok({"stop", "-t", "100", "usr"});
  auto all = p.ps();
  REQUIRE(all.count("proj-usr-1"));
  CHECK(all["proj-usr-1"]["ExitCode"].get<int>() == 143);  // SIGTERM reached sleep (137 after the timeout)
}

TEST_CASE("security: exec shows the container no process with more privilege than its own even when the container stalls it") {
  // The container makes /etc/passwd a FIFO, so a runtime that reads it with a privileged
  // process already in the container's pid namespace stalls there (4e3e14c did); a watcher with
  // CAP_SYS_PTRACE reports every process but PID 1 (the test above) whose capabilities exceed
  // its own, then lets it go.
  cli_project::Project p(R"(services:
  app:
    image: busybox:test
    cap_add: [SYS_PTRACE]
    volumes: ["@OUT@:/out"]
    command:
      - sh
      - -c
      - |
        rm -f /etc/passwd; busybox mkfifo /etc/passwd
        mine=$$(busybox awk '/^CapEff/ {print $$2}' /proc/self/status)
        echo > /out/ready
        while [ ! -e /out/stop ]; do
          for s in /proc/[0-9]*/status; do
            [ $$s = /proc/1/status ] && continue
            e=$$(busybox awk '/^CapEff/ {print $$2}' $$s 2>/dev/null)
            if [ -n "$$e" ] && [ $$(( 0x$$e & ~0x$$mine )) != 0 ]; then
              d=$${s%/status}; echo "PRIVILEGED $$d CapEff $$e" >> /out/seen
              busybox ls -ln $$d/fd $$d/cwd >> /out/seen 2>&1
              echo "root:x:0:0:root:/root:/bin/sh" > /etc/passwd
            fi
          done
        done
        exec sleep 1000
)");
  p.ok({"up", "-d"});
  for (int i = 0; i < 600 && !stdfs::exists(p.out / "ready"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(stdfs::exists(p.out / "ready"));
  auto r = p.run({"exec", "-u", "0", "app", "echo", "ran"});
  mycompose::fs::write_file_atomic(p.out / "stop", "");
  std::error_code ec;
  const std::string seen = stdfs::exists(p.out / "seen", ec) ? mycompose::fs::read_file(p.out / "seen") : "";
  INFO("the container saw:\n" << seen);
  CHECK(seen.empty());
  // The runtime no longer waits on the FIFO at all: a user database that is not a regular file
  // is refused naming it (tests/integration/scheduler/image_fifo_cli_test.cpp), so exec ends.
  INFO(r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("/etc/passwd in the container is a FIFO, not a regular file") != std::string::npos);
}
