// Keys the engine does not honour yet are recorded (compose/normalize/supported.cpp).
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("unsupported: keys beyond the engine's list are recorded with their path", "[unsupported]") {
  auto r = run("services:\n  web:\n    image: x\n    blkio_config:\n      weight: 300\n    mem_swappiness: 10\n    x-mine: 1\n");
  CHECK(r.unsupported == std::vector<std::string>{"services.web.blkio_config", "services.web.mem_swappiness"});
  CHECK(run("services:\n  web:\n    image: x\n    ports: [80]\n").unsupported.empty());
}
