// docker compose pkg/e2e/healthcheck_test.go: healthcheck.start_interval without start_period
// is refused before anything is created; with start_period, the checks of the start period run
// every start_interval, so `up --wait` sees the service healthy long before `interval`.
// Upstream's nginx is busybox httpd here; its check `/bin/true` is the shell's `true` (the
// image has no /bin/true). Upstream bounds the wait by 30 s with interval 30s; here interval is
// an hour, so only the start_interval checks can make the service healthy within the CLI's
// timeout (no timing threshold).
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kStartInterval = R"(services:
  test:
    image: busybox:test
    command: ["busybox", "httpd", "-f", "-p", "80"]
    healthcheck:
      interval: 1h
      start_period: 10m
      start_interval: 1s
      test: "true"

  error:
    image: busybox:test
    command: ["busybox", "httpd", "-f", "-p", "80"]
    healthcheck:
      interval: 1h
      start_interval: 1s
      test: "true"
)";

}  // namespace

TEST_CASE("TestStartInterval: start_interval without start_period is refused") {
  Project p(kStartInterval, "e2e-start-interval");
  auto r = p.run({"--project-name", "e2e-start-interval", "up", "--wait", "-d", "error"});
  INFO(combined(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("healthcheck.start_interval requires healthcheck.start_period to be set") != std::string::npos);
  CHECK(p.ps().empty());
}

TEST_CASE("TestStartInterval: up --wait sees the service healthy through the start_interval checks") {
  Project p(kStartInterval, "e2e-start-interval");
  auto r = p.run({"--project-name", "e2e-start-interval", "up", "--wait", "-d", "test"});
  INFO(combined(r));
  CHECK(r.exit_code == 0);
  CHECK(combined(r).find("Healthy") != std::string::npos);
  auto ps = p.ps();
  REQUIRE(ps.count("e2e-start-interval-test-1"));
  CHECK(ps["e2e-start-interval-test-1"]["Health"] == "healthy");
  CHECK(ps.count("e2e-start-interval-error-1") == 0);
}
