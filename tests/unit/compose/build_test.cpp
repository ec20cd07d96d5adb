// build: string → {context, dockerfile}; long form context absolute, args from the shell.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("build: a string is the context", "[build]") {
  CHECK(web("services:\n  web:\n    build: ./app\n")["build"].dump() ==
        R"({"context":"/srv/proj/app","dockerfile":"Dockerfile"})");
  CHECK(web("services:\n  web:\n    build: .\n")["build"]["context"] == "/srv/proj");
}

TEST_CASE("build: long form", "[build]") {
  json b = web(R"(services:
  web:
    build:
      dockerfile: docker/Dockerfile.prod
      target: prod
      args:
        - VERSION=1.2
        - FROM_SHELL
      cache_from: [web:cache]
      shm_size: 1g
      no_cache: "true"
)")["build"];
  CHECK(b.dump() ==
        R"({"context":"/srv/proj","dockerfile":"docker/Dockerfile.prod","args":{"FROM_SHELL":"shell value","VERSION":"1.2"},"cache_from":["web:cache"],"no_cache":true,"target":"prod","shm_size":"1073741824"})");
}

TEST_CASE("build: remote contexts and inline Dockerfiles", "[build]") {
  CHECK(web("services:\n  web:\n    build: https://github.com/docker/app.git#main\n")["build"]["context"] ==
        "https://github.com/docker/app.git#main");
  json b = web("services:\n  web:\n    build:\n      context: .\n      dockerfile_inline: |\n        FROM alpine\n")["build"];
  CHECK(b.dump() == R"({"context":"/srv/proj","dockerfile_inline":"FROM alpine\n"})");
}

TEST_CASE("build: errors", "[build]") {
  CHECK(error_of("services:\n  web:\n    build:\n      contxt: .\n") ==
        "compose.yaml:4:7: services.web.build: unknown key \"contxt\" (did you mean \"context\"?)");
  CHECK(error_of("services:\n  web:\n    build: [a]\n") == "compose.yaml:3:12: services.web.build must be a path or a mapping, got a list");
}
