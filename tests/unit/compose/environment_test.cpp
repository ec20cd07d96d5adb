// environment: list or mapping → sorted mapping of strings; bare keys from the shell.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("environment: a list becomes a sorted mapping", "[environment]") {
  json w = web("services:\n  web:\n    image: x\n    environment:\n      - B=2\n      - A=x=y\n      - EMPTY=\n");
  CHECK(w["environment"].dump() == R"({"A":"x=y","B":"2","EMPTY":""})");
}

TEST_CASE("environment: bare keys take the shell's value or null", "[environment]") {
  json w = web("services:\n  web:\n    image: x\n    environment:\n      - FROM_SHELL\n      - NOT_SET\n");
  CHECK(w["environment"].dump() == R"({"FROM_SHELL":"shell value","NOT_SET":null})");
  json m = web("services:\n  web:\n    image: x\n    environment:\n      FROM_SHELL:\n      NOT_SET:\n");
  CHECK(m["environment"].dump() == R"({"FROM_SHELL":"shell value","NOT_SET":null})");
}

TEST_CASE("environment: numbers and booleans become strings", "[environment]") {
  json w = web("services:\n  web:\n    image: x\n    environment:\n      PORT: 3306\n      DEBUG: true\n      RATIO: 0.5\n");
  CHECK(w["environment"].dump() == R"({"DEBUG":"true","PORT":"3306","RATIO":"0.5"})");
}

TEST_CASE("environment: wrong shapes are errors", "[environment]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    environment: FOO=1\n") ==
        "compose.yaml:4:18: services.web.environment must be a mapping or a list of KEY=VALUE strings, got \"FOO=1\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    environment:\n      - =1\n") ==
        "compose.yaml:5:9: services.web.environment: \"=1\" has no variable name");
  CHECK(error_of("services:\n  web:\n    image: x\n    environment:\n      A: [1]\n") ==
        "compose.yaml:5:10: services.web.environment.A must be a string, got a list");
}
