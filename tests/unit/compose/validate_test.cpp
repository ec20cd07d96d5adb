// Whole-model checks: image or build, container_name with replicas, references to services.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("validate: a service needs an image or a build", "[validate]") {
  CHECK(error_of("services:\n  web:\n    command: [x]\n") ==
        "compose.yaml:2:3: service \"web\" has neither an image nor a build context specified");
}

TEST_CASE("validate: container_name with more than one replica", "[validate]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    container_name: web1\n    scale: 2\n") ==
        "compose.yaml:4:21: service \"web\" sets container_name \"web1\" but has 2 replicas: container names must be unique");
  CHECK(error_of("services:\n  web:\n    image: x\n    container_name: web1\n    deploy:\n      replicas: 3\n") ==
        "compose.yaml:4:21: service \"web\" sets container_name \"web1\" but has 3 replicas: container names must be unique");
  CHECK(error_of("services:\n  web:\n    image: x\n    container_name: web1\n    deploy:\n      replicas: 1\n") == "");
}

TEST_CASE("validate: links, volumes_from and service: namespaces name defined services", "[validate]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    links: [db]\n") ==
        "compose.yaml:4:13: service \"web\" links to undefined service \"db\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    volumes_from: [\"data:ro\"]\n") ==
        "compose.yaml:4:20: service \"web\" takes volumes from undefined service \"data\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    volumes_from: [\"container:abc\"]\n") == "");
  CHECK(error_of("services:\n  web:\n    image: x\n    network_mode: service:vpn\n") ==
        "compose.yaml:4:19: service \"web\" uses the network_mode of undefined service \"vpn\"");
}

TEST_CASE("validate: an empty document has no services", "[validate]") {
  json m = model("");
  CHECK(m.dump() == R"({"name":"proj","services":{}})");
}
