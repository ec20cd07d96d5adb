// Foreground `up` follows a container its restart policy brings back: it returns only once
// no container runs and none will restart (it returned at the first exit before).
#include "cli_project_fixture.hpp"

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("foreground up stays attached through restarts, and returns after the last exit") {
  cli_project::Project p(R"(services:
  flaky:
    image: busybox:test
    command: ["sh", "-c", "echo a-run; exit 1"]
    restart: on-failure:2
)");
  auto up = p.run({"up"});
  INFO(up.out << up.err);
  CHECK(up.exit_code == 0);
  CHECK(count_of(up.out, "a-run") == 3);  // the first run and two restarts
  CHECK(count_of(up.out, "exited with code 1") == 3);
  CHECK(p.ps()["proj-flaky-1"]["State"] == "exited");
  p.finish();
}
