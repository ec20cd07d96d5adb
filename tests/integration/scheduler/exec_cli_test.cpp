// `mycompose exec` through the real binary: the process runs in the service container's
// namespaces with the service's environment, user and working folder, flags override them,
// its exit status is ours, -d leaves it running, and a stopped service is an error.
#include <chrono>
#include <fstream>
#include <thread>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kCompose = R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    environment: {FOO: from-service}
    user: "1000:1000"
    working_dir: /www  # the test image has no /tmp
)";

std::string host_ns(pid_t pid, const char* ns) {
  return stdfs::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + ns).string() + "\n";
}

}  // namespace

TEST_CASE("cli exec: the service's namespaces, environment, user and folder, flags, exit status") {
  Project p(kCompose);
  p.ok({"up", "-d"});
  auto rec = p.store().find("proj-web-1");
  REQUIRE(rec);
  const pid_t init = p.store().state(rec->id).pid;

  CHECK(p.ok({"exec", "-T", "web", "sh", "-c", "echo $FOO $(busybox id -u):$(busybox id -g) $PWD"}) == "from-service 1000:1000 /www\n");
  for (const char* ns : {"mnt", "net", "pid", "uts", "ipc"})
    CHECK(p.ok({"exec", "-T", "web", "busybox", "readlink", std::string("/proc/self/ns/") + ns}) == host_ns(init, ns));
  CHECK(p.ok({"exec", "-T", "web", "cat", "/proc/1/comm"}) == "mycompose-init\n");  // its own pid namespace

  CHECK(p.ok({"exec", "-T", "-e", "FOO=flag", "-e", "BAR=2", "-u", "0", "-w", "/etc", "web", "sh", "-c",
              "echo $FOO $BAR $(busybox id -u) $PWD"}) == "flag 2 0 /etc\n");
  auto failed = p.run({"exec", "-T", "web", "sh", "-c", "echo out; echo err >&2; exit 7"});
  CHECK(failed.exit_code == 7);
  CHECK(failed.out == "out\n");
  CHECK(failed.err == "err\n");
  auto stdin_read = p.run({"exec", "-T", "web", "cat"}, "through stdin\n");
  CHECK(stdin_read.out == "through stdin\n");

  auto missing = p.run({"exec", "-T", "web", "nosuchprogram"});
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("nosuchprogram") != std::string::npos);
  auto no_service = p.run({"exec", "-T", "nosuch", "true"});
  CHECK(no_service.exit_code == 1);
  CHECK(no_service.err == "error: service \"nosuch\" is not running\n");  // docker compose: no model check
  auto no_index = p.run({"exec", "-T", "--index", "2", "web", "true"});
  CHECK(no_index.exit_code == 1);
  CHECK(no_index.err == "error: service \"web\" is not running container #2\n");
}

TEST_CASE("cli exec -d: the process keeps running after the CLI returns") {
  Project p(kCompose);
  p.ok({"up", "-d"});
  auto detached = p.run({"exec", "-d", "-u", "0", "web", "sh", "-c", "echo $$ > /www/bg.pid; exec sleep 1000"});
  CHECK(detached.exit_code == 0);
  CHECK(detached.out.empty());
  std::string pid;
  for (int i = 0; i < 500 && pid.empty(); ++i) {
    pid = p.run({"exec", "-T", "web", "cat", "/www/bg.pid"}).out;
    if (pid.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(!pid.empty());
  pid.pop_back();
  CHECK(p.ok({"exec", "-T", "web", "cat", "/proc/" + pid + "/comm"}) == "sleep\n");
}

namespace {

// The pid of the process whose command line is exactly `args` (NUL-separated), or 0.
pid_t find_process(const std::string& args) {
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline == args) return static_cast<pid_t>(std::stol(name));
  }
  return 0;
}

pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("PPid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(5)));
  return 0;
}

}  // namespace

// Started by the CLI, a detached process went to the CLI's nearest reaping ancestor. This test
// is a subreaper that does not reap while it waits for `down`: the killed process stayed a
// zombie, the container's init waited for it in zap_pid_ns_processes, and `down` hung (killed
// after 60 s, the project's bridge left on the host).
TEST_CASE("cli exec -d: the engine starts the process and reaps it, so down never waits on the caller") {
  Project p(kCompose);
  p.ok({"up", "-d"});
  auto detached = p.run({"exec", "-d", "-e", "X=-from-flag", "-w", "/", "-u", "0", "web", "sh", "-c",
                         "echo \"$X $(pwd) $(id -u)\" > /www/flags; exec sleep 4242"});
  INFO(detached.err);
  REQUIRE(detached.exit_code == 0);
  CHECK(detached.out.empty());
  pid_t pid = 0;
  for (int i = 0; i < 500 && !pid; ++i) {
    pid = find_process(std::string("sleep\0" "4242\0", 11));
    if (!pid) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(pid > 0);
  const auto engine = static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));
  CHECK(parent_of(pid) == engine);
  CHECK(p.ok({"exec", "-T", "web", "cat", "/www/flags"}) == "-from-flag / 0\n");

  // A command that cannot start is the caller's error, with the runtime's words.
  auto missing = p.run({"exec", "-d", "web", "/no/such/program"});
  CHECK(missing.exit_code != 0);
  CHECK(missing.err.find("/no/such/program") != std::string::npos);
  p.finish();  // down must pass: before, it was killed after 60 s
}

TEST_CASE("cli exec: a stopped service is not running") {
  Project p(kCompose);
  p.ok({"up", "-d"});
  auto store = p.store();
  store.stop(store.find("proj-web-1")->id, std::chrono::seconds(0));
  auto r = p.run({"exec", "-T", "web", "true"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: service \"web\" is not running\n");
}

TEST_CASE("cli: a compose service's process sees the isolation defaults") {
  Project p(R"(services:
  iso:
    image: busybox:test
    command: ["sh", "-c", "cat /proc/self/status > /out/status; cat /proc/kcore 2>/dev/null | busybox wc -c > /out/kcore; busybox wc -c < /proc/keys > /out/keys; (busybox mkdir /sys/mycompose-probe; echo 1 > /proc/sys/kernel/domainname) > /out/ro 2>&1; echo done > /out/done; exec sleep 1000"]
    volumes: ["./out:/out"]
)");
  stdfs::create_directories(p.dir / "out");
  p.ok({"up", "-d"});
  REQUIRE(wait_for_file(p.dir / "out/done") == "done\n");
  const std::string status = mycompose::fs::read_file(p.dir / "out/status");
  for (const char* line : {"CapEff:\t00000000a80425fb\n", "CapPrm:\t00000000a80425fb\n", "CapBnd:\t00000000a80425fb\n", "Seccomp:\t2\n",
                           "NoNewPrivs:\t0\n"})
    CHECK(status.find(line) != std::string::npos);
  CHECK(mycompose::fs::read_file(p.dir / "out/kcore") == "0\n");
  CHECK(mycompose::fs::read_file(p.dir / "out/keys") == "0\n");
  const std::string ro = mycompose::fs::read_file(p.dir / "out/ro");
  INFO(ro);
  CHECK(ro.find("mkdir: can't create directory '/sys/mycompose-probe': Read-only file system") != std::string::npos);
  CHECK(ro.find("can't create /proc/sys/kernel/domainname: Read-only file system") != std::string::npos);  // there, read-only
  // exec'd processes get the same confinement as the service's own.
  const std::string exec_status = p.ok({"exec", "-T", "iso", "cat", "/proc/self/status"});
  CHECK(exec_status.find("CapEff:\t00000000a80425fb\n") != std::string::npos);
  CHECK(exec_status.find("Seccomp:\t2\n") != std::string::npos);
}

TEST_CASE("cli exec --privileged: the process gets every capability, a plain exec the container's set") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  p.ok({"up", "-d"});
  auto cap_eff = [&](std::vector<std::string> args) {
    const std::string line = p.ok(std::move(args));
    const auto colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    return std::stoull(line.substr(line.find_first_of("0123456789abcdef", colon)), nullptr, 16);
  };
  const auto plain = cap_eff({"exec", "-T", "web", "busybox", "grep", "CapEff", "/proc/self/status"});
  const auto privileged = cap_eff({"exec", "-T", "--privileged", "web", "busybox", "grep", "CapEff", "/proc/self/status"});
  constexpr unsigned long long kSysAdmin = 1ull << 21, kSysModule = 1ull << 16;
  CHECK((plain & kSysAdmin) == 0);
  CHECK((privileged & kSysAdmin) != 0);
  CHECK((privileged & kSysModule) != 0);
  CHECK((privileged & plain) == plain);
  // Detached, through the engine: the process writes what it holds where the test reads it.
  p.ok({"exec", "-d", "--privileged", "web", "sh", "-c", "busybox grep CapEff /proc/self/status > /privileged-d"});
  std::string detached;
  for (int i = 0; i < 100 && detached.find("CapEff") == std::string::npos; ++i) {
    auto r = p.run({"exec", "-T", "web", "cat", "/privileged-d"});
    detached = r.out;
    if (detached.find("CapEff") == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(detached.find("CapEff") != std::string::npos);
  CHECK(detached == p.ok({"exec", "-T", "--privileged", "web", "busybox", "grep", "CapEff", "/proc/self/status"}));
}
