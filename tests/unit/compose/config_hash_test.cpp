// The config hash: stable for the same service, different for any change that matters.
#include "normalize_fixture.hpp"

#include "mycompose/compose/config_hash.hpp"

using namespace normalize_test;
using mycompose::compose::service_config_hash;

TEST_CASE("config hash: same definition, same hash, whatever the syntax", "[hash]") {
  json a = web("services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    environment: [A=1, B=2]\n");
  json b = web("services:\n  web:\n    environment:\n      B: 2\n      A: 1\n    ports:\n      - target: 80\n        published: 8080\n    image: nginx\n");
  CHECK(service_config_hash(a) == service_config_hash(b));
  CHECK(service_config_hash(a).size() == 64);
}

TEST_CASE("config hash: any change gives a different hash", "[hash]") {
  const std::string base = "services:\n  web:\n    image: nginx\n";
  std::string h = service_config_hash(web(base));
  CHECK(service_config_hash(web(base + "    environment: [A=1]\n")) != h);
  CHECK(service_config_hash(web("services:\n  web:\n    image: nginx:1.25\n")) != h);
  CHECK(service_config_hash(web(base + "    ports: [80]\n")) != h);
}

TEST_CASE("config hash: scale, replicas, build, pull_policy, depends_on and profiles are left out", "[hash]") {
  const std::string base = "services:\n  web:\n    image: nginx\n";
  std::string h = service_config_hash(web(base));
  CHECK(service_config_hash(web(base + "    scale: 3\n")) == h);
  CHECK(service_config_hash(web(base + "    deploy:\n      replicas: 4\n")) == h);
  CHECK(service_config_hash(web(base + "    pull_policy: always\n    profiles: [a]\n    build: .\n")) == h);
  CHECK(service_config_hash(web(base + "    depends_on: [db]\n  db:\n    image: x\n")) == h);
}
