// io_uring from a container. Its rings run operations the seccomp filter never sees, and it
// has been a steady source of kernel privilege escalations; Docker blocks io_uring_setup,
// io_uring_enter and io_uring_register in its default profile since 25.0 (moby#46762).
#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"
#include "probe.hpp"

using cli_project::Project;
namespace stdfs = std::filesystem;

TEST_CASE("security, seccomp: io_uring_setup fails with EPERM under the default profile, also with cap_add ALL") {
  Project p(R"(services:
  plain:
    image: busybox:test
    volumes: ["@OUT@:/out"]
    command: ["sh", "-c", "/out/io_uring > /out/plain; exec sleep 1000"]
  all_caps:
    image: busybox:test
    cap_add: [ALL]
    volumes: ["@OUT@:/out"]
    command: ["sh", "-c", "/out/io_uring > /out/all_caps; exec sleep 1000"]
  unconfined:
    image: busybox:test
    security_opt: ["seccomp=unconfined"]
    volumes: ["@OUT@:/out"]
    command: ["sh", "-c", "/out/io_uring > /out/unconfined; exec sleep 1000"]
)");
  stdfs::copy_file(security_test::probe("io_uring"), p.out / "io_uring");
  p.ok({"up", "-d"});
  auto result = [&](const std::string& name) {
    for (int i = 0; i < 200 && !(stdfs::exists(p.out / name) && stdfs::file_size(p.out / name) > 0); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return mycompose::fs::read_file(p.out / name);
  };
  CHECK(result("plain") == "EPERM\n");
  CHECK(result("all_caps") == "EPERM\n");
  // The probe itself works: without a filter the kernel sets a ring up.
  CHECK(result("unconfined") == "allowed\n");
  p.finish();
}
