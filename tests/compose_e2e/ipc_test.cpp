// docker compose pkg/e2e/ipc_test.go: `ipc: shareable`, `ipc: service:NAME` and
// `ipc: container:NAME`. Upstream makes the donor container with `docker run --ipc=shareable
// --name ipc_mode_container` and reads IpcMode from `docker inspect`; here the donor is a
// service of a second project of the same root with that container_name, and the IPC
// namespace each container is in (/proc/self/ns/ipc) shows the mode took effect.
#include <unistd.h>

#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kIpc = R"(services:
  service:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: "service:shareable"
  container:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: "container:ipc_mode_container"
  shareable:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: shareable
)";

const char* kDonor = R"(services:
  donor:
    image: busybox:test
    container_name: ipc_mode_container
    command: ["sleep", "1000"]
    ipc: shareable
)";

// The IPC namespace `service`'s container of project `project` (compose file `file`) is in.
std::string ipc_ns(const Project& p, const std::string& file, const std::string& project, const std::string& service) {
  auto r = p.run({"-f", file, "-p", project, "exec", service, "busybox", "readlink", "/proc/self/ns/ipc"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("TestIPC: shareable, service: and container: IPC modes") {
  Project p(kIpc, "ipc_e2e");
  mycompose::fs::write_file_atomic(p.dir / "donor.yaml", kDonor);

  // create ipc mode container
  p.ok({"-f", "donor.yaml", "-p", "ipc_donor", "up", "-d"});

  // up
  p.ok({"-f", "compose.yaml", "--project-name", "ipc_e2e", "up", "-d"});

  // check running project: by project name, from a folder without a compose file
  Cli c = elsewhere(p);
  auto ps = c.run({"-p", "ipc_e2e", "ps"});
  INFO(ps.out << ps.err);
  CHECK(ps.exit_code == 0);
  CHECK(ps.out.find("shareable") != std::string::npos);

  // check ipc mode: service: joins shareable's namespace, container: the donor's; shareable
  // has its own, neither the host's nor the donor's
  const std::string shareable = ipc_ns(p, "compose.yaml", "ipc_e2e", "shareable");
  const std::string donor = ipc_ns(p, "donor.yaml", "ipc_donor", "donor");
  CHECK(ipc_ns(p, "compose.yaml", "ipc_e2e", "service") == shareable);
  CHECK(ipc_ns(p, "compose.yaml", "ipc_e2e", "container") == donor);
  CHECK(shareable != donor);
  CHECK(shareable.find("ipc:[") == 0);
  CHECK(stdfs::read_symlink("/proc/self/ns/ipc").string() + "\n" != shareable);

  // down, by project name
  auto down = c.run({"--project-name", "ipc_e2e", "down", "-t", "0"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  // remove ipc mode container
  p.ok({"-f", "donor.yaml", "-p", "ipc_donor", "down", "-t", "0"});
}

// Not asserted upstream, the engine rules behind its modes (moby daemon getIPCContainer and
// WithMounts): only a shareable donor's IPC can be joined, and `ipc: none` is a namespace of
// its own without /dev/shm. A service without `ipc` is private, the engine's default mode.
TEST_CASE("TestIPC: joining the IPC of a private container is refused as non-shareable") {
  Project p(R"(services:
  joiner:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: "service:private"
  private:
    image: busybox:test
    command: ["sleep", "1000"]
)",
            "ipc_private");
  auto r = p.run({"up", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("non-shareable IPC (hint: use IpcMode:shareable for the donor container)") != std::string::npos);
  CHECK(p.wait_state("ipc_private-private-1", "running") == "running");
  CHECK(p.ps()["ipc_private-joiner-1"]["State"] != "running");
}

TEST_CASE("TestIPC: ipc none is a private namespace without /dev/shm") {
  Project p(R"(services:
  none:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: none
)",
            "ipc_none");
  p.ok({"up", "-d"});
  auto ls = p.run({"exec", "none", "busybox", "ls", "-d", "/dev/shm"});
  INFO(ls.out << ls.err);
  CHECK(ls.exit_code != 0);
  auto mounts = p.run({"exec", "none", "busybox", "cat", "/proc/mounts"});
  CHECK(mounts.exit_code == 0);
  CHECK(mounts.out.find(" /dev/shm ") == std::string::npos);
  auto ns = p.run({"exec", "none", "busybox", "readlink", "/proc/self/ns/ipc"});
  CHECK(ns.out != stdfs::read_symlink("/proc/self/ns/ipc").string() + "\n");
}

// The same rule for `container:NAME`: the name as written is the donor the error names.
TEST_CASE("TestIPC: joining a private container by container: name is refused as non-shareable") {
  Project p(R"(services:
  joiner:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: "container:ipc_private_donor"
)",
            "ipc_private_c");
  mycompose::fs::write_file_atomic(p.dir / "donor.yaml", R"(services:
  donor:
    image: busybox:test
    container_name: ipc_private_donor
    command: ["sleep", "1000"]
    ipc: private
)");
  p.ok({"-f", "donor.yaml", "-p", "ipc_private_d", "up", "-d"});
  auto r = p.run({"up", "-d"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("container ipc_private_donor: non-shareable IPC (hint: use IpcMode:shareable for the donor container)") !=
        std::string::npos);
  CHECK(p.ps()["ipc_private_c-joiner-1"]["State"] != "running");
  p.ok({"-f", "donor.yaml", "-p", "ipc_private_d", "down", "-t", "0"});
}

// The host's IPC can be joined through a container that uses it (moby: its ShmPath is the
// host's /dev/shm), and `ipc: host` binds the host's /dev/shm itself.
TEST_CASE("TestIPC: ipc host shares the host's namespace and /dev/shm, and can be joined") {
  Project p(R"(services:
  host:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: host
  joiner:
    image: busybox:test
    command: ["sleep", "1000"]
    ipc: "service:host"
)",
            "ipc_host");
  auto up = p.run({"up", "-d"});
  INFO(combined(up));
  REQUIRE(up.exit_code == 0);
  const std::string host_ns = stdfs::read_symlink("/proc/self/ns/ipc").string() + "\n";
  CHECK(p.run({"exec", "host", "busybox", "readlink", "/proc/self/ns/ipc"}).out == host_ns);
  CHECK(p.run({"exec", "joiner", "busybox", "readlink", "/proc/self/ns/ipc"}).out == host_ns);
  const std::string marker = "mycompose-ipc-host-test-" + std::to_string(::getpid());
  auto w = p.run({"exec", "host", "busybox", "touch", "/dev/shm/" + marker});
  CHECK(w.exit_code == 0);
  std::error_code ec;
  CHECK(stdfs::exists("/dev/shm/" + marker, ec));
  stdfs::remove("/dev/shm/" + marker, ec);
}
