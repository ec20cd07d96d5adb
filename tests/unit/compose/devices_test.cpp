#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("devices: short and long forms", "[devices]") {
  json w = web(R"(services:
  web:
    image: x
    devices:
      - /dev/ttyUSB0
      - /dev/sda:/dev/xvda:r
      - source: /dev/fuse
        permissions: rw
)");
  CHECK(w["devices"].dump() ==
        R"([{"source":"/dev/ttyUSB0","target":"/dev/ttyUSB0","permissions":"rwm"},{"source":"/dev/sda","target":"/dev/xvda","permissions":"r"},{"source":"/dev/fuse","target":"/dev/fuse","permissions":"rw"}])");
}

TEST_CASE("devices: gpus all and device reservations", "[devices]") {
  CHECK(web("services:\n  web:\n    image: x\n    gpus: all\n")["gpus"].dump() == R"([{"count":-1}])");
  json w = web(R"(services:
  web:
    image: x
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [gpu]
)");
  CHECK(w["deploy"]["resources"]["reservations"]["devices"].dump() == R"([{"capabilities":["gpu"],"driver":"nvidia","count":-1}])");
}

TEST_CASE("devices: bad permissions", "[devices]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    devices: [\"/dev/a:/dev/a:rwx\"]\n") ==
        "compose.yaml:4:15: services.web.devices[0]: device permissions \"rwx\" must be made of r, w and m");
}
