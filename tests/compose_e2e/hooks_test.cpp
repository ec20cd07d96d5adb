// docker compose's pkg/e2e/hooks_test.go, ported: post_start and pre_stop hooks run in the
// container (exec) after it starts / before it stops, and a failing one fails the command with
// "<service> hook exited with status <n>"; pre_start hooks run before the service, each in a
// one-shot runner container inheriting the service's specification. Fixtures are written from
// what each upstream case asserts (busybox:test for alpine and nginx); the volume probes read
// the volume's folder on the host instead of `docker run -v … alpine`.
#include <algorithm>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {

// fixtures/hooks/compose.yaml with busybox for nginx; the volume with the ":z" the newer
// fixture has (SELinux relabel: a no-op here, as in Docker without SELinux).
const char* kHooks = R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - "data:/data:z"
    pre_stop:
      - command: sh -c 'echo "In the pre-stop" >> /data/log.txt'
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: sh -c 'echo env'
volumes:
  data:
    name: sample-data
)";

std::string volume_file(const Project& p, const std::string& file) {
  const auto path = p.store().volume_path("sample-data") / file;
  return stdfs::exists(path) ? mycompose::fs::read_file(path) : "";
}

}  // namespace

TEST_CASE("TestPostStartHookInError: a failing post_start hook fails up with its exit status") {
  Project p(R"(services:

  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: sh -c 'command in error'
)");
  auto r = p.run({"up", "-d"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("test hook exited with status 127") != std::string::npos);
}

TEST_CASE("TestPostStartHookSuccess: a post_start hook runs after the service starts, without failing up") {
  Project p(R"Y(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: sh -c 'echo env'
      - command: busybox mkdir -m 1777 /tmp
      - command: sh -c 'pwd > /tmp/hooked; busybox id -u >> /tmp/hooked; echo "$$GREETING $$(echo sub)" >> /tmp/hooked'
        user: "65534"
        working_dir: /etc
        environment:
          GREETING: hello
)Y");
  auto r = p.run({"up", "-d"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  // In order, in the container, as the hook's user, folder and environment say; `$$` reaches
  // the shell as `$` (`$(…)` unescaped would stay too: compose-go interpolates only `$NAME`, `${…}` and `$$`).
  CHECK(p.ok({"exec", "-T", "test", "cat", "/tmp/hooked"}) == "/etc\n65534\nhello sub\n");
}

TEST_CASE("TestPreStopHookSuccess: a pre_stop hook runs in the container before it is stopped") {
  Project p(kHooks);
  // ":z" as compose-go reads it: a bind option kept on the volume mount.
  CHECK(p.ok({"config"}).find(R"(      - type: volume
        source: data
        target: /data
        bind:
          selinux: z
        volume: {}
)") != std::string::npos);
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(volume_file(p, "log.txt") == "");
  p.ok({"stop"});
  CHECK(p.wait_state("proj-sample-1", "exited") == "exited");
  CHECK(volume_file(p, "log.txt") == "In the pre-stop\n");
}

TEST_CASE("TestPreStopHookInError: a failing pre_stop hook fails down with its exit status") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data
    pre_stop:
      - command: sh -c 'command in error'
volumes:
  data:
    name: sample-data
)");
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  auto r = p.run({"down", "-t", "0"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("sample hook exited with status 127") != std::string::npos);
  // The hook failed before the stop: the container still runs.
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  // Without the hook, the fixture's down can clean up.
  mycompose::fs::write_file_atomic(p.dir / "compose.yaml", R"(services:
  sample:
    image: busybox:test
volumes:
  data:
    name: sample-data
)");
}

TEST_CASE("TestPreStopHookSuccessWithPreviousStop: stop of one service runs its hook and stops only it") {
  Project p(kHooks);
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  p.ok({"stop", "sample"});
  CHECK(p.wait_state("proj-sample-1", "exited") == "exited");
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  CHECK(volume_file(p, "log.txt") == "In the pre-stop\n");
}

TEST_CASE("TestPostStartAndPreStopHook: post_start and pre_stop hooks in one project do not interfere with up") {
  Project p(kHooks);
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(p.wait_state("proj-test-1", "running") == "running");
  // down runs the pre_stop hook too.
  p.ok({"down"});
  CHECK(volume_file(p, "log.txt") == "In the pre-stop\n");
}

TEST_CASE("TestPostStartHookSuccess (privileged): a privileged: true hook gets every capability, as docker exec --privileged") {
  Project p(R"Y(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: sh -c 'busybox grep CapEff /proc/self/status > /plain'
      - command: sh -c 'busybox grep CapEff /proc/self/status > /privileged'
        privileged: true
)Y");
  auto r = p.run({"up", "-d"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("privileged") == std::string::npos);  // no "not supported" warning
  auto caps = [&](const std::string& file) {
    const std::string line = p.ok({"exec", "-T", "test", "cat", file});
    return std::stoull(line.substr(line.find_first_of("0123456789abcdef", line.find(':'))), nullptr, 16);
  };
  const unsigned long long plain = caps("/plain"), privileged = caps("/privileged");
  constexpr unsigned long long kSysAdmin = 1ull << 21, kSysModule = 1ull << 16;
  CHECK((plain & kSysAdmin) == 0);  // the container's default set
  CHECK((privileged & kSysAdmin) != 0);
  CHECK((privileged & kSysModule) != 0);
  CHECK((privileged & plain) == plain);
}

namespace {

// The project's volume "data" (proj_data) as the runner and the service mount it.
std::string data_file(const Project& p, const std::string& file) {
  const auto path = p.store().volume_path("proj_data") / file;
  return stdfs::exists(path) ? mycompose::fs::read_file(path) : "";
}

std::size_t lines_in(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

std::string container_id(const Project& p, const std::string& name) {
  auto c = p.store().find(name);
  return c ? c->id : "";
}

// `logs SERVICE` once it shows `text` (the log capture runs behind the container), up to 10 s.
std::string logs_showing(const Project& p, const std::string& service, const std::string& text) {
  std::string out;
  for (int i = 0; i < 100; ++i) {
    out = p.ok({"logs", service});
    if (out.find(text) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return out;
}

// A service whose one pre_start hook appends a line to tokens.txt on the data volume.
const char* kTokens = R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "echo token >> /data/tokens.txt"]
volumes:
  data:
)";

}  // namespace

TEST_CASE("TestPreStartHookSuccess: a pre_start hook runs before the service, which reads what the hook prepared") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sh", "-c", "cat /data/init.txt; sleep 1000"]
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "echo initialized > /data/init.txt"]
volumes:
  data:
)");
  p.ok({"up", "-d", "--wait"});
  CHECK(logs_showing(p, "sample", "initialized").find("initialized") != std::string::npos);
  // The runner is gone once it succeeded; ps shows the service's container only.
  CHECK(container_id(p, "proj-sample-pre_start-0").empty());
  CHECK(p.ps().size() == 1);
}

TEST_CASE("TestPreStartHookInError: a failing pre_start hook fails up and leaves the service created but not started") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    pre_start:
      - command: ["sh", "-c", "exit 17"]
)");
  auto r = p.run({"up", "-d"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("service \"sample\" pre_start[0] exited with code 17") != std::string::npos);
  CHECK(p.wait_state("proj-sample-1", "created") == "created");
  // The failed runner is kept for inspection, out of ps; down removes it with the service.
  CHECK_FALSE(container_id(p, "proj-sample-pre_start-0").empty());
  CHECK(p.ps().count("proj-sample-pre_start-0") == 0);
  p.ok({"down"});
  CHECK(p.store().list().empty());
}

TEST_CASE("TestPreStartHookRetryAfterFailureSucceeds: up recovers from a previously failed hook by purging its stale runner") {
  // Fails the first time (leaving a marker), succeeds the next.
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "test -f /data/failed-once || { touch /data/failed-once; exit 17; }"]
volumes:
  data:
)");
  auto first = p.run({"up", "-d"});
  CHECK(first.exit_code == 1);
  CHECK((first.out + first.err).find("pre_start") != std::string::npos);
  CHECK(p.wait_state("proj-sample-1", "created") == "created");
  auto second = p.run({"up", "-d", "--wait"});
  INFO(second.err);
  CHECK(second.exit_code == 0);
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(container_id(p, "proj-sample-pre_start-0").empty());
}

TEST_CASE("TestPreStartHookBuildInheritance: a pre_start hook without an image runs on the service's built image") {
  Project p(R"(services:
  sample:
    build: .
    command: ["sh", "-c", "cat /data/seen; sleep 1000"]
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "cat /marker > /data/seen"]
volumes:
  data:
)");
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile", "FROM busybox:test\nRUN echo built-image-marker > /marker\n");
  auto r = p.run({"up", "-d", "--wait"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(logs_showing(p, "sample", "built-image-marker").find("built-image-marker") != std::string::npos);
}

TEST_CASE("TestPreStartHookIdempotentReUp: an unchanged up does not re-run pre_start hooks on a running service") {
  Project p(kTokens);
  p.ok({"up", "-d", "--wait"});
  CHECK(lines_in(data_file(p, "tokens.txt")) == 1);
  const std::string before = container_id(p, "proj-sample-1");
  p.ok({"up", "-d", "--wait"});
  CHECK(container_id(p, "proj-sample-1") == before);  // not recreated
  CHECK(lines_in(data_file(p, "tokens.txt")) == 1);
}

TEST_CASE("TestPreStartHookReRunOnSpecChange: a spec change recreates the service and re-runs its pre_start hooks") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "echo ${HOOK_VERSION} >> /data/versions.txt"]
volumes:
  data:
)");
  p.o.env["HOOK_VERSION"] = "v1";
  p.ok({"up", "-d", "--wait"});
  CHECK(data_file(p, "versions.txt") == "v1\n");
  const std::string before = container_id(p, "proj-sample-1");
  p.o.env["HOOK_VERSION"] = "v2";
  p.ok({"up", "-d", "--wait"});
  CHECK(container_id(p, "proj-sample-1") != before);  // recreated
  CHECK(data_file(p, "versions.txt") == "v1\nv2\n");
}

TEST_CASE("TestPreStartHookForceRecreate: up --force-recreate re-runs pre_start hooks") {
  Project p(kTokens);
  p.ok({"up", "-d", "--wait"});
  CHECK(lines_in(data_file(p, "tokens.txt")) == 1);
  const std::string before = container_id(p, "proj-sample-1");
  p.ok({"up", "-d", "--force-recreate", "--wait"});
  CHECK(container_id(p, "proj-sample-1") != before);
  CHECK(lines_in(data_file(p, "tokens.txt")) == 2);
}

TEST_CASE("TestPreStartHookMidSequenceFailure: earlier hooks run, then up fails pointing at the culprit") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "echo ran-0 >> /data/hooks.txt"]
      - command: ["sh", "-c", "exit 17"]
      - command: ["sh", "-c", "echo ran-2 >> /data/hooks.txt"]
volumes:
  data:
)");
  auto r = p.run({"up", "-d"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("service \"sample\" pre_start[1] exited with code 17") != std::string::npos);
  CHECK(p.wait_state("proj-sample-1", "created") == "created");
  CHECK(data_file(p, "hooks.txt") == "ran-0\n");
}

TEST_CASE("TestPreStartHookSequentialOrder: pre_start hooks run sequentially, in declaration order") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "busybox sleep 0.3; echo A >> /data/out"]
      - command: ["sh", "-c", "echo B >> /data/out"]
volumes:
  data:
)");
  p.ok({"up", "-d", "--wait"});
  CHECK(data_file(p, "out") == "A\nB\n");
}

TEST_CASE("TestPreStartHookNotReRunOnScaleUp: scaling up does not re-run pre_start hooks while a replica runs") {
  Project p(kTokens);
  p.ok({"up", "-d", "--wait"});
  CHECK(lines_in(data_file(p, "tokens.txt")) == 1);
  p.ok({"up", "-d", "--scale", "sample=2", "--wait"});
  CHECK(p.wait_state("proj-sample-2", "running") == "running");
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(lines_in(data_file(p, "tokens.txt")) == 1);
}

TEST_CASE("TestPreStartHookCreateThenStart: create prepares the pre_start runners, a later start executes them") {
  Project p(kTokens);
  p.ok({"create"});
  CHECK(p.wait_state("proj-sample-1", "created") == "created");
  CHECK(data_file(p, "tokens.txt").empty());
  p.ok({"start"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(lines_in(data_file(p, "tokens.txt")) == 1);
}

TEST_CASE("TestPreStartHookStopThenStartFails: start after stop fails on a hooked service, up prepares new runners") {
  Project p(kTokens);
  p.ok({"up", "-d", "--wait"});
  p.ok({"stop"});
  CHECK(p.wait_state("proj-sample-1", "exited") == "exited");
  auto r = p.run({"start"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("pre_start[0]") != std::string::npos);
  CHECK((r.out + r.err).find("mycompose up") != std::string::npos);
  CHECK(p.wait_state("proj-sample-1", "exited") == "exited");
  p.ok({"up", "-d", "--wait"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(lines_in(data_file(p, "tokens.txt")) == 2);
}

TEST_CASE("TestPreStartHookRunsOnceForScaledService: with per_replica: false a pre_start hook runs once for the whole service") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    scale: 2
    volumes:
      - data:/data
    pre_start:
      - command: ["sh", "-c", "echo ran >> /data/log"]
        per_replica: false
volumes:
  data:
)");
  p.ok({"up", "-d", "--wait"});
  CHECK(p.wait_state("proj-sample-1", "running") == "running");
  CHECK(p.wait_state("proj-sample-2", "running") == "running");
  CHECK(lines_in(data_file(p, "log")) == 1);
}

TEST_CASE("TestPreStartHookExtraHosts: pre_start hooks inherit the service's extra_hosts, completed by their own") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    extra_hosts:
      - "svc-host=10.1.2.3"
      - "shared=10.0.0.1"
    pre_start:
      - command: ["sh", "-c", "busybox grep -q '10.1.2.3.*svc-host' /etc/hosts && busybox grep -q '10.0.0.1.*shared' /etc/hosts"]
      - command: ["sh", "-c", "busybox grep -q '10.4.5.6.*hook-host' /etc/hosts && busybox grep -q '10.1.2.3.*svc-host' /etc/hosts && busybox grep -q '10.9.9.9.*shared' /etc/hosts && ! busybox grep -q '10.0.0.1' /etc/hosts"]
        extra_hosts:
          - "hook-host=10.4.5.6"
          - "shared=10.9.9.9"
)");
  auto r = p.run({"up", "-d", "--wait"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.wait_state("proj-app-1", "running") == "running");
}

TEST_CASE("TestPreStartHookVolumes: a pre_start hook writes through its own read-write declaration while the service stays read-only") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - data:/data:ro
    pre_start:
      - command: ["sh", "-c", "echo initialized > /data/init.txt"]
        volumes:
          - data:/data
volumes:
  data:
)");
  p.ok({"up", "-d", "--wait"});
  CHECK(p.ok({"exec", "-T", "app", "cat", "/data/init.txt"}) == "initialized\n");
  auto r = p.run({"exec", "-T", "app", "busybox", "touch", "/data/blocked"});
  CHECK(r.exit_code != 0);
  CHECK((r.out + r.err).find("Read-only file system") != std::string::npos);
}

TEST_CASE("TestPreStartHookVolumesMerge: a pre_start hook declaring a volume still sees the service's other mounts") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - ./config:/config:ro
      - data:/data:ro
    pre_start:
      - command: ["sh", "-c", "cat /config/app.conf > /data/init.txt"]
        volumes:
          - data:/data
volumes:
  data:
)");
  stdfs::create_directories(p.dir / "config");
  mycompose::fs::write_file_atomic(p.dir / "config" / "app.conf", "saw-config\n");
  p.ok({"up", "-d", "--wait"});
  CHECK(p.ok({"exec", "-T", "app", "cat", "/data/init.txt"}) == "saw-config\n");
}

TEST_CASE("TestPreStartHookEnvFile: pre_start hooks receive the service's env_file and environment, completed by their own") {
  Project p(R"Y(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    env_file: service.env
    environment:
      FROM_SERVICE: "yes"
      OVERRIDDEN: service
    pre_start:
      - command: ["sh", "-c", "test \"$$FROM_SERVICE_FILE\" = yes && test \"$$FROM_SERVICE\" = yes && test \"$$OVERRIDDEN\" = service"]
      - command: ["sh", "-c", "test \"$$FROM_SERVICE_FILE\" = yes && test \"$$FROM_SERVICE\" = yes && test \"$$FROM_HOOK_FILE\" = yes && test \"$$FROM_HOOK\" = yes && test \"$$OVERRIDDEN\" = hook"]
        env_file: hook.env
        environment:
          FROM_HOOK: "yes"
          OVERRIDDEN: hook
)Y");
  mycompose::fs::write_file_atomic(p.dir / "service.env", "FROM_SERVICE_FILE=yes\n");
  mycompose::fs::write_file_atomic(p.dir / "hook.env", "FROM_HOOK_FILE=yes\n");
  auto r = p.run({"up", "-d", "--wait"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.wait_state("proj-app-1", "running") == "running");
}

TEST_CASE("TestPreStartHookVolumesFrom: pre_start works on a service declaring volumes_from") {
  Project p(R"(services:
  data:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes:
      - shared:/shared
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes_from:
      - data
    pre_start:
      - command: ["sh", "-c", "echo ready > /shared/marker"]
volumes:
  shared:
)");
  auto r = p.run({"up", "-d", "--wait"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.wait_state("proj-app-1", "running") == "running");
  CHECK(p.ok({"exec", "-T", "data", "cat", "/shared/marker"}) == "ready\n");
}

TEST_CASE("a failing hook's error quotes the end of what it printed, stderr before stdout") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    post_start:
      - command: ["sh", "-c", "echo progress; echo first-error >&2; echo real-error >&2; exit 3"]
)");
  auto r = p.run({"up", "-d"});
  CHECK(r.exit_code == 1);
  CHECK((r.out + r.err).find("test hook exited with status 3: first-error\nreal-error") != std::string::npos);
  CHECK((r.out + r.err).find("progress") == std::string::npos);  // -d: not shown, and stderr said why
  p.ok({"down", "-t", "0"});

  Project q(R"(services:
  test:
    image: busybox:test
    command: ["sleep", "1000"]
    pre_stop:
      - command: ["sh", "-c", "test -e /failed-once && exit 0; touch /failed-once; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line-$$i; done; exit 4"]
)");
  q.ok({"up", "-d"});
  auto stop = q.run({"stop", "-t", "0"});
  CHECK(stop.exit_code == 1);
  // Only stdout printed: its last 10 lines.
  CHECK(stop.err.find("test hook exited with status 4: line-3\nline-4") != std::string::npos);
  CHECK(stop.err.find("line-2\n") == std::string::npos);
  q.ok({"down", "-t", "0"});
}

TEST_CASE("pre_start output shows in foreground up as <service> pre_start[i] ->, and a failure quotes it") {
  Project p(R"(services:
  sample:
    image: busybox:test
    command: ["echo", "service-ran"]
    pre_start:
      - command: ["sh", "-c", "echo from-pre-start"]
)");
  auto r = p.run({"up"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("sample pre_start[0] ->  | from-pre-start\n") != std::string::npos);
  CHECK(r.out.find("service-ran") != std::string::npos);
  p.ok({"down"});

  Project q(R"(services:
  sample:
    image: busybox:test
    command: ["sleep", "1000"]
    pre_start:
      - command: ["sh", "-c", "echo preparing; echo migration failed >&2; exit 17"]
)");
  auto f = q.run({"up", "-d"});
  CHECK(f.exit_code == 1);
  CHECK(f.err.find("service \"sample\" pre_start[0] exited with code 17: migration failed (hook container ") !=
        std::string::npos);
  CHECK(f.out.find("preparing") == std::string::npos);  // -d: the output is not shown
  q.ok({"down"});
}
