// Durations: Go's ParseDuration in, Duration.String() out (what compose prints).
#include "normalize_fixture.hpp"

using namespace normalize_test;

namespace {
std::string grace(const std::string& v) {
  return web("services:\n  web:\n    image: x\n    stop_grace_period: " + v + "\n")["stop_grace_period"].get<std::string>();
}
}  // namespace

TEST_CASE("durations: printed as Go prints them", "[durations]") {
  CHECK(grace("1m30s") == "1m30s");
  CHECK(grace("90s") == "1m30s");
  CHECK(grace("1m") == "1m0s");
  CHECK(grace("2h") == "2h0m0s");
  CHECK(grace("1.5s") == "1.5s");
  CHECK(grace("1h1m1s") == "1h1m1s");
  CHECK(grace("500ms") == "500ms");
  CHECK(grace("1500us") == "1.5ms");
  CHECK(grace("10ns") == "10ns");
  CHECK(grace("0") == "0s");
  CHECK(grace("0.5h") == "30m0s");
}

TEST_CASE("durations: in deploy and healthcheck too", "[durations]") {
  json w = web(R"(services:
  web:
    image: x
    deploy:
      restart_policy:
        condition: on-failure
        delay: 5s
        window: 2m
      update_config:
        delay: 10s
        monitor: 1m
)");
  CHECK(w["deploy"]["restart_policy"].dump() == R"({"condition":"on-failure","delay":"5s","window":"2m0s"})");
  CHECK(w["deploy"]["update_config"].dump() == R"({"delay":"10s","monitor":"1m0s"})");
}

TEST_CASE("durations: invalid ones are errors", "[durations]") {
  for (const char* bad : {"10", "1x", "s", "1.s5", "abc"})
    CHECK(error_of(std::string("services:\n  web:\n    image: x\n    stop_grace_period: ") + bad + "\n") ==
          std::string("compose.yaml:4:24: services.web.stop_grace_period: invalid duration \"") + bad +
              "\" (expected a number with a unit, such as 10s, 1m30s or 500ms)");
}
