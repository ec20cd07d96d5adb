// docker compose pkg/e2e/compose_down_test.go: down of a project that has nothing says so
// and succeeds.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

TEST_CASE("TestDown: no resource to remove") {
  Project p(R"(services:
  unused:
    image: busybox:test
)", "fixture");
  auto res = elsewhere(p).run({"--project-name", "e2e-down", "down"});
  INFO(res.err);
  CHECK(res.exit_code == 0);
  CHECK(res.err.find("No resource found to remove for project \"e2e-down\"") != std::string::npos);
}
