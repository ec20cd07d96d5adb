// labels and the other list-or-dict attributes (sysctls, annotations).
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("labels: list and mapping give the same sorted mapping", "[labels]") {
  json a = web("services:\n  web:\n    image: x\n    labels:\n      - traefik.enable=true\n      - com.example=a=b\n      - bare\n");
  json b = web("services:\n  web:\n    image: x\n    labels:\n      traefik.enable: true\n      com.example: a=b\n      bare:\n");
  CHECK(a["labels"].dump() == R"({"bare":"","com.example":"a=b","traefik.enable":"true"})");
  CHECK(a["labels"] == b["labels"]);
}

TEST_CASE("labels: sysctls and annotations are list-or-dict too", "[labels]") {
  json w = web("services:\n  web:\n    image: x\n    sysctls:\n      - net.core.somaxconn=1024\n    annotations:\n      a: 1\n");
  CHECK(w["sysctls"].dump() == R"({"net.core.somaxconn":"1024"})");
  CHECK(w["annotations"].dump() == R"({"a":"1"})");
}

TEST_CASE("labels: a scalar is an error", "[labels]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    labels: a=b\n") ==
        "compose.yaml:4:13: services.web.labels must be a mapping or a list of KEY=VALUE strings, got \"a=b\"");
}
