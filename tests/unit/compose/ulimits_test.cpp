#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("ulimits: single value or soft/hard, sorted", "[ulimits]") {
  json w = web("services:\n  web:\n    image: x\n    ulimits:\n      nproc: 65535\n      nofile:\n        hard: 40000\n        soft: 20000\n");
  CHECK(w["ulimits"].dump() == R"({"nofile":{"soft":20000,"hard":40000},"nproc":65535})");
}

TEST_CASE("ulimits: errors", "[ulimits]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    ulimits:\n      nofile:\n        soft: 1\n") ==
        "compose.yaml:6:9: services.web.ulimits.nofile: missing required key \"hard\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    ulimits:\n      nofile: {soft: 10, hard: 5}\n") ==
        "compose.yaml:5:15: services.web.ulimits.nofile: soft limit is greater than the hard limit");
  CHECK(error_of("services:\n  web:\n    image: x\n    ulimits:\n      nofile: lots\n") ==
        "compose.yaml:5:15: services.web.ulimits.nofile must be an integer, got \"lots\"");
}
