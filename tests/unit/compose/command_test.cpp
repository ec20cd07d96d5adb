// command / entrypoint: a string is split into words as a shell would.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("command: a string is split like a shell", "[command]") {
  CHECK(web("services:\n  web:\n    image: x\n    command: npm run start -- --port 3000\n")["command"].dump() ==
        R"(["npm","run","start","--","--port","3000"])");
  CHECK(web("services:\n  web:\n    image: x\n    command: sh -c 'echo \"$$HOME\" && sleep 1'\n")["command"].dump() ==
        R"(["sh","-c","echo \"$$HOME\" && sleep 1"])");
  CHECK(web("services:\n  web:\n    image: x\n    entrypoint: \"/bin/sh -c \\\"a b\\\" c\\\\ d\"\n")["entrypoint"].dump() ==
        R"(["/bin/sh","-c","a b","c d"])");
}

TEST_CASE("command: a list is kept, null stays null", "[command]") {
  CHECK(web("services:\n  web:\n    image: x\n    command: [\"a b\", c]\n")["command"].dump() == R"(["a b","c"])");
  CHECK(web("services:\n  web:\n    image: x\n    command:\n")["command"].is_null());
}

TEST_CASE("command: unterminated quotes are errors", "[command]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    command: echo 'oops\n") ==
        "compose.yaml:4:14: services.web.command: unterminated quote in \"echo 'oops\"");
}
