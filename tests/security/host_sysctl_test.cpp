// Host sysctls from a container. /proc/sys is only partly namespaced: a container that may
// write kernel.* or vm.* keys changes them for the whole machine (runc and Docker refuse every
// key the container's own namespaces do not hold). Each case tries it for real, through
// `up` and through `mycompose runtime`, and reads the host's value afterwards.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "integration/runtime/runtime_helpers.hpp"
#include "integration/scheduler/cli_project_fixture.hpp"

namespace {

using cli_project::Project;
namespace stdfs = std::filesystem;

std::string proc_sys(const std::string& dotted) {
  std::string p = "/proc/sys/" + dotted;
  for (auto i = std::string("/proc/sys/").size(); i < p.size(); ++i)
    if (p[i] == '.') p[i] = '/';
  return p;
}

// The host's value of a sysctl, put back when the test ends whatever happened.
struct HostValue {
  std::string path, before;
  explicit HostValue(const std::string& dotted) : path(proc_sys(dotted)), before(mycompose::fs::read_file(path)) {}
  ~HostValue() {
    if (now() == before) return;
    FILE* f = std::fopen(path.c_str(), "w");
    if (f) std::fputs(before.c_str(), f), std::fclose(f);
  }
  std::string now() const { return mycompose::fs::read_file(path); }
};

}  // namespace

TEST_CASE("security, host sysctls: up refuses a key that is not namespaced, naming the service, and creates nothing") {
  for (const std::string key : {"kernel.printk_ratelimit_burst", "vm.overcommit_ratio", "kernel.perf_event_max_sample_rate"}) {
    INFO(key);
    HostValue host(key);
    Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n    sysctls:\n      " + key +
              ": \"13\"\n  other:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
    auto up = p.run({"up", "-d"});
    CHECK(up.exit_code != 0);
    CHECK(up.err.find("service \"web\": sysctl \"" + key + "\" is not namespaced: it would change the host") != std::string::npos);
    CHECK(host.now() == host.before);
    CHECK(p.ps().empty());  // refused before any container, network or volume was made
  }
}

TEST_CASE("security, host sysctls: net keys with network_mode host and ipc keys with ipc host are refused") {
  HostValue somaxconn("net.core.somaxconn"), msg_max("fs.mqueue.msg_max");
  {
    Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n    network_mode: host\n"
              "    sysctls: {net.core.somaxconn: \"1111\"}\n");
    auto up = p.run({"up", "-d"});
    CHECK(up.exit_code != 0);
    CHECK(up.err.find("service \"web\": sysctl \"net.core.somaxconn\" is not allowed in the host's network namespace") !=
          std::string::npos);
  }
  {
    Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n    ipc: host\n"
              "    sysctls: [fs.mqueue.msg_max=17]\n");
    auto up = p.run({"up", "-d"});
    CHECK(up.exit_code != 0);
    CHECK(up.err.find("service \"web\": sysctl \"fs.mqueue.msg_max\" is not allowed in the host's ipc namespace") !=
          std::string::npos);
  }
  CHECK(somaxconn.now() == somaxconn.before);
  CHECK(msg_max.now() == msg_max.before);
}

TEST_CASE("security, host sysctls: namespaced keys apply inside the container only") {
  HostValue somaxconn("net.core.somaxconn"), msgmax("kernel.msgmax"), msg_max("fs.mqueue.msg_max");
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "cat /proc/sys/net/core/somaxconn /proc/sys/kernel/msgmax /proc/sys/fs/mqueue/msg_max > /out/seen.tmp && busybox mv /out/seen.tmp /out/seen; exec sleep 1000"]
    volumes: ["@OUT@:/out"]
    sysctls: {net.core.somaxconn: "1111", kernel.msgmax: "12345", fs.mqueue.msg_max: "17"}
)");
  p.ok({"up", "-d"});
  for (int i = 0; i < 100 && !stdfs::exists(p.out / "seen"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(mycompose::fs::read_file(p.out / "seen") == "1111\n12345\n17\n");
  CHECK(somaxconn.now() == somaxconn.before);
  CHECK(msgmax.now() == msgmax.before);
  CHECK(msg_max.now() == msg_max.before);
  p.finish();
}

TEST_CASE("security, host sysctls: the runtime refuses them in any config.json, also in a joined host namespace") {
  rttest::Sandbox sb;
  {
    HostValue host("kernel.printk_ratelimit_burst");
    auto b = sb.bundle("b1", {"true"});
    b.config["linux"]["sysctl"] = {{"kernel.printk_ratelimit_burst", "13"}};
    b.write();
    auto r = sb.rt({"run", "--bundle", b.dir.string(), "host-kernel"});
    CHECK(r.status != 0);
    CHECK(r.err.find("sysctl \"kernel.printk_ratelimit_burst\" is not namespaced") != std::string::npos);
    CHECK(host.now() == host.before);
    CHECK(sb.leftovers("host-kernel", b.rootfs()).empty());
  }
  {
    // The network namespace joined by path is the host's own: net.* keys would be the host's.
    HostValue host("net.core.somaxconn");
    auto b = sb.bundle("b2", {"true"});
    b.config["linux"]["namespaces"] = {{{"type", "pid"}}, {{"type", "network"}, {"path", "/proc/" + std::to_string(::getpid()) + "/ns/net"}},
                                       {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}};
    b.config["linux"]["sysctl"] = {{"net.core.somaxconn", "1111"}};
    b.write();
    auto r = sb.rt({"run", "--bundle", b.dir.string(), "host-net"});
    CHECK(r.status != 0);
    CHECK(r.err.find("sysctl \"net.core.somaxconn\" is not allowed in the host's network namespace") != std::string::npos);
    CHECK(host.now() == host.before);
  }
}
