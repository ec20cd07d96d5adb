// docker compose pkg/e2e/container_name_test.go, ported: two services with the same
// container_name cannot be brought up together; each one alone can.
#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

TEST_CASE("TestUpContainerNameConflict: a container_name shared by two services is refused") {
  Project p(R"(services:
  test:
    image: busybox:test
    container_name: test
    command: sh -c true
  another_test:
    image: busybox:test
    container_name: test
    command: sh -c true
)");
  auto both = p.run({"up"});
  CHECK(both.exit_code == 1);
  CHECK(both.err.find("container name \"test\" is already in use") != std::string::npos);

  p.ok({"down"});
  p.ok({"up", "test"});
  p.ok({"down"});
  p.ok({"up", "another_test"});
}
