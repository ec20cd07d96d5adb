// networks: the implicit default network, list → map, top-level names, references.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("networks: a service without networks joins default, which gets <project>_default", "[networks]") {
  json m = model("services:\n  web:\n    image: x\n");
  CHECK(m["services"]["web"]["networks"].dump() == R"({"default":null})");
  CHECK(m["networks"].dump() == R"({"default":{"name":"proj_default"}})");
}

TEST_CASE("networks: network_mode means no default network", "[networks]") {
  json m = model("services:\n  web:\n    image: x\n    network_mode: host\n");
  CHECK_FALSE(m["services"]["web"].contains("networks"));
  CHECK_FALSE(m.contains("networks"));
}

TEST_CASE("networks: list → map, settings kept, names scoped to the project", "[networks]") {
  json m = model(R"(services:
  web:
    image: x
    networks: [front, back]
  db:
    image: x
    networks:
      back:
        aliases: [database]
        ipv4_address: 172.20.0.5
networks:
  front:
    driver: bridge
  back:
    internal: true
    ipam:
      config:
        - subnet: 172.20.0.0/16
  outside:
    external: true
    name: shared-net
  unused: {}
)");
  CHECK(m["services"]["web"]["networks"].dump() == R"({"back":null,"front":null})");
  CHECK(m["services"]["db"]["networks"].dump() == R"({"back":{"aliases":["database"],"ipv4_address":"172.20.0.5"}})");
  CHECK(m["networks"].dump() ==
        R"({"back":{"name":"proj_back","ipam":{"config":[{"subnet":"172.20.0.0/16"}]},"internal":true},"front":{"name":"proj_front","driver":"bridge"}})");
}

TEST_CASE("networks: --all-resources keeps unused ones", "[networks]") {
  auto ctx = context();
  ctx.all_resources = true;
  json m = model("services:\n  web:\n    image: x\nnetworks:\n  spare:\n    external: true\n", ctx);
  CHECK(m["networks"].dump() == R"({"default":{"name":"proj_default"},"spare":{"name":"spare","external":true}})");
}

TEST_CASE("networks: a declared default network keeps its settings", "[networks]") {
  json m = model("services:\n  web:\n    image: x\nnetworks:\n  default:\n    name: my-net\n    driver_opts:\n      com.docker.network.bridge.name: br0\n");
  CHECK(m["networks"].dump() == R"({"default":{"name":"my-net","driver_opts":{"com.docker.network.bridge.name":"br0"}}})");
}

TEST_CASE("networks: errors", "[networks]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    networks: [front]\n") ==
        "compose.yaml:4:16: service \"web\" refers to undefined network \"front\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    network_mode: host\n    networks: [front]\nnetworks:\n  front:\n") ==
        "compose.yaml:4:19: service \"web\" sets both network_mode and networks; they are mutually exclusive");
  CHECK(error_of("services:\n  web:\n    image: x\nnetworks:\n  front:\n    driver: [x]\n") ==
        "compose.yaml:6:13: networks.front.driver must be a string, got a list");
  CHECK(error_of("services:\n  web:\n    image: x\nnetworks:\n  bad name:\n") ==
        "compose.yaml:5:3: networks: invalid name \"bad name\" (use letters, digits, '.', '_' and '-')");
}
