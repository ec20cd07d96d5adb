// pre_start: each hook a container specification (compose-go's PreStartHook): the service's
// keys in their canonical forms, plus per_replica; keys that make or order containers are not
// a hook's.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("pre_start: hooks are normalized like services", "[pre_start]") {
  json hooks = web(R"(services:
  web:
    image: nginx
    pre_start:
      - command: echo hi
        volumes:
          - data:/data
        environment:
          - A=1
        extra_hosts:
          db: 10.0.0.2
        per_replica: false
      - image: busybox
        per_replica: true
volumes:
  data: {}
)")["pre_start"];
  REQUIRE(hooks.size() == 2);
  CHECK(hooks[0].dump() ==
        R"({"command":["echo","hi"],"environment":{"A":"1"},"extra_hosts":["db=10.0.0.2"],)"
        R"("volumes":[{"type":"volume","source":"data","target":"/data","volume":{}}]})");
  CHECK(hooks[1].dump() == R"({"image":"busybox","per_replica":true})");
}

TEST_CASE("pre_start: keys that are no hook's are errors", "[pre_start]") {
  CHECK(error_of("services:\n  web:\n    image: nginx\n    pre_start:\n      - depends_on: [db]\n").find("depends_on") != std::string::npos);
  CHECK(error_of("services:\n  web:\n    image: nginx\n    pre_start:\n      - per_replica: maybe\n").find("per_replica") != std::string::npos);
}
