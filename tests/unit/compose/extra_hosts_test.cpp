#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("extra_hosts: list with : or = and mapping forms give host=ip lines", "[extra_hosts]") {
  CHECK(web("services:\n  web:\n    image: x\n    extra_hosts:\n      - somehost:162.242.195.82\n      - v6host=::1\n      - gw:host-gateway\n")["extra_hosts"].dump() ==
        R"(["somehost=162.242.195.82","v6host=::1","gw=host-gateway"])");
  CHECK(web("services:\n  web:\n    image: x\n    extra_hosts:\n      b: 10.0.0.2\n      a: [10.0.0.1, \"::1\"]\n")["extra_hosts"].dump() ==
        R"(["a=10.0.0.1","a=::1","b=10.0.0.2"])");
}

TEST_CASE("extra_hosts: an entry without an address is an error", "[extra_hosts]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    extra_hosts: [justahost]\n") ==
        "compose.yaml:4:19: services.web.extra_hosts: \"justahost\" is not HOST:IP or HOST=IP");
}
