// healthcheck: test forms, disable, durations, retries.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("healthcheck: a string test runs in a shell, durations canonical", "[healthcheck]") {
  json h = web(R"(services:
  web:
    image: x
    healthcheck:
      test: curl -f http://localhost/ || exit 1
      interval: 1m30s
      timeout: 10s
      retries: 3
      start_period: 90s
      start_interval: 500ms
)")["healthcheck"];
  CHECK(h.dump() ==
        R"({"test":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"timeout":"10s","interval":"1m30s","retries":3,"start_period":"1m30s","start_interval":"500ms"})");
}

TEST_CASE("healthcheck: list test kept, disable means NONE", "[healthcheck]") {
  CHECK(web("services:\n  web:\n    image: x\n    healthcheck:\n      test: [CMD, pg_isready, -U, postgres]\n")["healthcheck"]["test"].dump() ==
        R"(["CMD","pg_isready","-U","postgres"])");
  CHECK(web("services:\n  web:\n    image: x\n    healthcheck:\n      disable: true\n      interval: 5s\n")["healthcheck"].dump() ==
        R"({"test":["NONE"]})");
}

TEST_CASE("healthcheck: errors", "[healthcheck]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    healthcheck:\n      test: [curl, x]\n") ==
        "compose.yaml:5:14: services.web.healthcheck.test must start with NONE, CMD or CMD-SHELL, got \"curl\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    healthcheck:\n      interval: 10\n") ==
        "compose.yaml:5:17: services.web.healthcheck.interval: invalid duration \"10\" (expected a number with a unit, such as 10s, 1m30s or 500ms)");
  CHECK(error_of("services:\n  web:\n    image: x\n    healthcheck:\n      retries: three\n") ==
        "compose.yaml:5:16: services.web.healthcheck.retries must be an integer, got \"three\"");
}
